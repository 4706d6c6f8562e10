// npm run bench: the figures behind the speed and weight goals, measured side by side on this machine.
// Starts the app (wrangler dev, loopback only) and a bench-only hash Worker, measures, stops them,
// prints the tables and writes bench/results.json. Several minutes on 2 cores: the import of 200 000
// families alone takes about 5 (`--only import`).
// `npm run bench -- --only recovery` runs the recovery answer time section alone (and writes nothing);
// `--only storm` the sign-in storms alone; `--only 2g` the six steps on a 2G-like link, three times
// each way; `--only import` the import of 200 000 families; `--only round-trips` D1 calls per route;
// `--only cron` the rows the cron reads.
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { startLocalServer, startWrangler } from '../scripts/lib/local-server'
import { measureUpload, projectRoot as root } from '../scripts/lib/wrangler'
import { SCRYPT_FLOOR } from '../src/config'
import { measureBytes } from './bytes'
import { nodeNativeHashMs, workerdHashMs } from './hash'
import { measureImport, type ImportTimes } from './import'
import { measureCronRows, type CronRows } from './cron-rows'
import { measureFlow2g, PROFILE_2G, type FlowTiming } from './flow-2g'
import { measureLighthouse } from './lighthouse'
import { measureRoundTrips } from './round-trips'
import { runLoad, type LoadResult } from './load'
import { randomNumber } from '../scripts/lib/local-client'
import { measureStorms, STORM_VARS, type StormResult } from './storm'
import { measureRecoveryTiming, recoverySeedSql, type RecoveryTiming } from './recovery-timing'

const LOAD = { connections: 4, durationMs: 5_000 }
const CLAIRE = { number: '123456780123457', password: 'Bienvenue2026' }
const families = {
  withoutJs: { number: '880000000000001', email: 'sans-js@example.org' },
  withJs: { number: '880000000000002', email: 'avec-js@example.org' },
  slowWithoutJs: { number: '880000000000003', email: 'lent-sans-js@example.org' },
  slowWithJs: { number: '880000000000004', email: 'lent-avec-js@example.org' },
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const ms = (value: number) => `${value.toFixed(1)} ms`

function table(title: string, header: string[], rows: Array<Array<string | number>>) {
  const cells = [header, ...rows.map((row) => row.map(String))]
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)))
  console.log(`\n${title}`)
  for (const [index, row] of cells.entries()) {
    console.log(
      `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`,
    )
    if (index === 0) console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`)
  }
}

// The build wrangler.toml configures (minified), as `wrangler deploy` would upload it.
const bundleSize = () => measureUpload('production')

function printRecoveryTiming(timing: RecoveryTiming, title: string) {
  table(
    `${title} (${timing.samples} samples each, interleaved, one at a time, a fresh 127.x client each)`,
    ['request', 'median', 'p95', 'statuses'],
    timing.kinds.map((k) => [k.kind, ms(k.median), ms(k.p95), JSON.stringify(k.statuses)]),
  )
  table(
    '    Known minus unknown (difference of medians; noise: 95 % bootstrap interval, and two halves of the unknown samples)',
    ['route', 'difference', '95 % interval', 'unknown half − half'],
    timing.differences.map((d) => [
      d.route,
      ms(d.knownMinusUnknown),
      `[${d.ci95[0].toFixed(2)}, ${d.ci95[1].toFixed(2)}] ms`,
      ms(d.halves),
    ]),
  )
}

function printStorms(storms: StormResult[], title: string) {
  table(
    title,
    [
      'sign-ins at once',
      'finished in',
      'vs one after another',
      'with the page loop',
      'sign-in p50',
      'sign-in p95',
      'GET idle p99',
      'GET p50 during',
      'GET p99 during',
      'app workerd peak − idle',
      'same count of GETs at once',
      'statuses',
    ],
    storms.map((storm) => [
      storm.signIns,
      `${(storm.finishedInMs / 1000).toFixed(2)} s`,
      `${(storm.finishedInMs / (storm.serialHashMs * (storm.statuses[422] ?? storm.signIns))).toFixed(2)}×`,
      `${(storm.finishedWithPagesInMs / 1000).toFixed(2)} s`,
      ms(storm.signIn.p50),
      ms(storm.signIn.p95),
      ms(storm.page.idleP99),
      ms(storm.page.p50),
      ms(storm.page.p99),
      `${storm.memory.growthMiB.toFixed(0)} MiB`,
      `${storm.memory.pagesAtOnceGrowthMiB.toFixed(0)} MiB`,
      JSON.stringify(storm.statuses),
    ]),
  )
}

function printImport(imports: ImportTimes, number: string) {
  table(
    `${number} Importing a commune's ${imports.families} families (the import service on a local D1, under D1's limits, --close-missing)`,
    ['import', 'time', 'check'],
    [
      ['first import (all created)', ms(imports.firstMs), ''],
      ['the same file again (nothing changed)', ms(imports.unchangedMs), ''],
      [`again with ${imports.changed} changed (2 %)`, ms(imports.changedMs), ''],
      [
        'a change of every family, failing in the middle of its loading',
        ms(imports.interrupted.ms),
        imports.interrupted.familiesUntouched ? 'no family changed' : 'FAMILIES CHANGED',
      ],
      [
        'the same import run again',
        ms(imports.rerunMs),
        imports.rerunApplied ? 'every family changed' : 'NOT APPLIED',
      ],
    ],
  )
}

function printCronRows(rows: CronRows, number: string) {
  table(
    `${number} Rows the cron's housekeeping reads on a commune's database (20 000 families, local D1's rows_read)`,
    ['statement', 'first run', 'deleted', 'next minute', 'next minute, without the indexes'],
    [
      ...rows.map((row) => [
        row.statement,
        row.first,
        row.deleted,
        row.nextMinute,
        row.nextMinuteWithoutIndexes,
      ]),
      [
        'total',
        rows.reduce((sum, row) => sum + row.first, 0),
        rows.reduce((sum, row) => sum + row.deleted, 0),
        rows.reduce((sum, row) => sum + row.nextMinute, 0),
        rows.reduce((sum, row) => sum + row.nextMinuteWithoutIndexes, 0),
      ],
    ],
  )
}

function printFlows(flows: FlowTiming[], number: string) {
  table(
    `${number} The six steps in Chromium on a 2G-like link (${PROFILE_2G.downKbps} kbit/s down, ${PROFILE_2G.upKbps} up, ${PROFILE_2G.latencyMs} ms), cold cache`,
    ['flow', 'waiting', 'bytes on the wire', 'requests', 'per step (ms)'],
    flows.map((flow) => [
      flow.javaScript ? 'with JavaScript (htmx)' : 'without JavaScript',
      `${(flow.waitingMs / 1000).toFixed(2)} s`,
      kb(flow.bytesOnWire),
      flow.requests,
      flow.steps.map((step) => step.ms).join(' + '),
    ]),
  )
}

const onlyIndex = process.argv.indexOf('--only')
if (onlyIndex !== -1 && process.argv[onlyIndex + 1] === '2g') {
  // Three families each way, each walked once, alternating, on one app.
  const walkers = Array.from({ length: 6 }, (_, index) => ({
    number: `88000000000010${index}`,
    email: `lent-${index}@example.org`,
    javaScript: index % 2 === 0,
  }))
  console.log(
    'Starting the app (wrangler dev, 127.0.0.1) for the six steps on a 2G-like link alone…',
  )
  const alone = await startLocalServer({
    seedSql: `INSERT INTO families (family_number, last_name, first_name, email) VALUES ${walkers
      .map((walker) => `('${walker.number}', 'LENT', 'Essai', '${walker.email}')`)
      .join(', ')};`,
  })
  try {
    const flows: FlowTiming[] = []
    for (const walker of walkers)
      flows.push(await measureFlow2g(alone.baseUrl, walker, walker.javaScript))
    printFlows(flows, '')
  } finally {
    await alone.stop()
  }
  process.exit(0)
}
if (onlyIndex !== -1 && process.argv[onlyIndex + 1] === 'storm') {
  console.log('Starting an app (wrangler dev, 127.0.0.1) for each sign-in storm…')
  printStorms(await measureStorms([40, 200]), 'Sign-in storms on one local isolate')
  process.exit(0)
}
if (onlyIndex !== -1 && process.argv[onlyIndex + 1] === 'import') {
  printImport(await measureImport(), '')
  process.exit(0)
}
if (onlyIndex !== -1 && process.argv[onlyIndex + 1] === 'cron') {
  printCronRows(await measureCronRows(), '')
  process.exit(0)
}
if (onlyIndex !== -1 && process.argv[onlyIndex + 1] === 'round-trips') {
  table(
    'D1 round trips and queries per route (D1 allows 1 000 queries an invocation)',
    ['route', 'D1 calls', 'queries'],
    measureRoundTrips().map((r) => [r.route, r.calls, r.queries]),
  )
  process.exit(0)
}
if (onlyIndex !== -1 && process.argv[onlyIndex + 1] === 'recovery') {
  console.log('Starting the app (wrangler dev, 127.0.0.1) for the recovery answer time alone…')
  const alone = await startLocalServer({ seedSql: recoverySeedSql() })
  try {
    printRecoveryTiming(await measureRecoveryTiming(alone.baseUrl), 'Recovery answer time')
  } finally {
    await alone.stop()
  }
  process.exit(0)
}

const seed = `${readFileSync(join(root, 'scripts/demo-families.sql'), 'utf8')}
INSERT INTO families (family_number, last_name, first_name, email) VALUES
  ('${families.withoutJs.number}', 'BANC', 'Sans', '${families.withoutJs.email}'),
  ('${families.withJs.number}', 'BANC', 'Avec', '${families.withJs.email}'),
  ('${families.slowWithoutJs.number}', 'LENT', 'Sans', '${families.slowWithoutJs.email}'),
  ('${families.slowWithJs.number}', 'LENT', 'Avec', '${families.slowWithJs.email}');
${recoverySeedSql()}`

console.log('Starting the app and the hash worker (wrangler dev, 127.0.0.1)…')
const app = await startLocalServer({
  seedSql: seed,
  // Measure the work, not the limits: the per-number and per-address sign-in limits would turn the
  // wrong-password load into cheap 429s after five attempts.
  vars: STORM_VARS,
})
const hashWorker = await startWrangler(['dev', '--config', 'bench/wrangler.toml'])
try {
  const bytes = await measureBytes(app.baseUrl, families.withoutJs, families.withJs)
  // Before the load runs fill the outbox and the limits: the same state as when run alone.
  const recovery = await measureRecoveryTiming(app.baseUrl)
  const storms = await measureStorms([40, 200])

  const signIn = await fetch(`${app.baseUrl}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: app.baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
      'cf-connecting-ip': '127.8.8.8',
    },
    body: new URLSearchParams({ identifier: CLAIRE.number, password: CLAIRE.password }),
  })
  const session = signIn.headers.getSetCookie()[0]!.split(';')[0]!
  const load: LoadResult[] = []
  load.push(
    await runLoad(app.baseUrl, 'GET /connexion', { method: 'GET', path: '/connexion' }, LOAD),
  )
  load.push(
    await runLoad(
      app.baseUrl,
      'POST /connexion (wrong password)',
      {
        method: 'POST',
        path: '/connexion',
        form: () => ({ identifier: CLAIRE.number, password: 'Mauvais-2026' }),
      },
      LOAD,
    ),
  )
  load.push(
    await runLoad(
      app.baseUrl,
      'POST /mot-de-passe-oublie',
      {
        method: 'POST',
        path: '/mot-de-passe-oublie',
        form: () => ({ identifier: randomNumber() }),
      },
      LOAD,
    ),
  )
  load.push(
    await runLoad(
      app.baseUrl,
      'GET /espace',
      { method: 'GET', path: '/espace', headers: { cookie: session } },
      LOAD,
    ),
  )
  // Alone on the line: under load a Worker isolate runs one hash at a time, so concurrent sign-ins
  // queue behind each other; the overhead is measured without that queue.
  const alone = await runLoad(
    app.baseUrl,
    'POST /connexion (wrong password), 1 connection',
    {
      method: 'POST',
      path: '/connexion',
      form: () => ({ identifier: CLAIRE.number, password: 'Mauvais-2026' }),
    },
    { connections: 1, durationMs: LOAD.durationMs },
  )
  load.push(alone)

  // A page request while four sign-ins hash on the same isolate: the hash yields, the page answers.
  const getAlone = await runLoad(
    app.baseUrl,
    'GET /connexion alone',
    { method: 'GET', path: '/connexion' },
    { connections: 1, durationMs: LOAD.durationMs },
  )
  const [getDuringSignIns] = await Promise.all([
    runLoad(
      app.baseUrl,
      'GET /connexion during 4 sign-ins',
      { method: 'GET', path: '/connexion' },
      { connections: 1, durationMs: LOAD.durationMs },
    ),
    runLoad(
      app.baseUrl,
      'POST /connexion (wrong password)',
      {
        method: 'POST',
        path: '/connexion',
        form: () => ({ identifier: CLAIRE.number, password: 'Mauvais-2026' }),
      },
      { connections: 4, durationMs: LOAD.durationMs },
    ),
  ])

  const flows: FlowTiming[] = [
    await measureFlow2g(app.baseUrl, families.slowWithJs, true),
    await measureFlow2g(app.baseUrl, families.slowWithoutJs, false),
  ]
  const lighthouse = await measureLighthouse(app.baseUrl, ['/connexion', '/mot-de-passe-oublie'])
  const roundTrips = measureRoundTrips()

  const params = SCRYPT_FLOOR
  const hash = {
    setting: `N=2^${params.logN}, r=${params.r}, p=${params.p}`,
    nobleInWorkerdMs: await workerdHashMs(hashWorker.baseUrl, 'noble', params),
    yieldingInWorkerdMs: await workerdHashMs(hashWorker.baseUrl, 'yielding', params),
    nodeCryptoInWorkerdMs: await workerdHashMs(hashWorker.baseUrl, 'node', params),
    nodeNativeMs: nodeNativeHashMs(params),
  }
  const signInP50 = alone.p50
  const overhead = {
    signInP50Ms: signInP50,
    hashMs: hash.nobleInWorkerdMs,
    ratio: signInP50 / hash.nobleInWorkerdMs,
  }
  const bundle = bundleSize()
  const imports = await measureImport()
  const cronRows = await measureCronRows()

  table(
    '1. Bytes per step (page = whole document, fragment = what htmx fetches)',
    ['step', 'page raw', 'page gzip', 'page br', 'fragment raw', 'fragment gzip', 'fragment br'],
    bytes.steps.map((s) => [
      s.step,
      s.page.raw,
      s.page.gzip,
      s.page.brotli,
      s.fragment.raw,
      s.fragment.gzip,
      s.fragment.brotli,
    ]),
  )
  table(
    '   Assets',
    ['file', 'raw', 'gzip', 'br'],
    bytes.assets.map(([path, s]) => [path, s.raw, s.gzip, s.brotli]),
  )
  table(
    '   Whole six-step flow',
    ['flow', 'raw', 'gzip', 'br'],
    [
      [
        'with htmx, cold cache',
        kb(bytes.flowCold.raw),
        kb(bytes.flowCold.gzip),
        kb(bytes.flowCold.brotli),
      ],
      [
        'with htmx, warm (htmx + CSS cached)',
        kb(bytes.flowWarm.raw),
        kb(bytes.flowWarm.gzip),
        kb(bytes.flowWarm.brotli),
      ],
      [
        'without JavaScript',
        kb(bytes.flowWithoutJavaScript.raw),
        kb(bytes.flowWithoutJavaScript.gzip),
        kb(bytes.flowWithoutJavaScript.brotli),
      ],
    ],
  )
  table(
    `2. Server time per route (${LOAD.connections} connections × ${LOAD.durationMs / 1000} s each)`,
    ['route', 'requests', 'req/s', 'p50', 'p95', 'p99', 'statuses'],
    load.map((r) => [
      r.route,
      r.requests,
      r.requestsPerSecond.toFixed(1),
      ms(r.p50),
      ms(r.p95),
      ms(r.p99),
      JSON.stringify(r.statuses),
    ]),
  )
  table(
    `3. One scrypt hash (${hash.setting})`,
    ['implementation', 'time', 'vs Node native'],
    [
      [
        '@noble/hashes in workerd (the app)',
        ms(hash.nobleInWorkerdMs),
        `${(hash.nobleInWorkerdMs / hash.nodeNativeMs).toFixed(2)}×`,
      ],
      [
        'the app: noble core yielding every 8192 BlockMix (src/services/scrypt.ts)',
        ms(hash.yieldingInWorkerdMs),
        `${(hash.yieldingInWorkerdMs / hash.nodeNativeMs).toFixed(2)}× (${((hash.yieldingInWorkerdMs / hash.nobleInWorkerdMs - 1) * 100).toFixed(1)} % over noble's sync scrypt)`,
      ],
      [
        'node:crypto in workerd (nodejs_compat)',
        ms(hash.nodeCryptoInWorkerdMs),
        `${(hash.nodeCryptoInWorkerdMs / hash.nodeNativeMs).toFixed(2)}×`,
      ],
      ['Node native (outside workerd)', ms(hash.nodeNativeMs), '1.00×'],
    ],
  )
  table(
    '4. Overhead',
    ['figure', 'value'],
    [
      ['POST /connexion p50, 1 connection', ms(overhead.signInP50Ms)],
      ['one hash (noble in workerd)', ms(overhead.hashMs)],
      [
        'p50 / hash',
        `${overhead.ratio.toFixed(2)}× (everything that is not the hash: ${ms(overhead.signInP50Ms - overhead.hashMs)})`,
      ],
    ],
  )
  table(
    '5. Worker upload (wrangler deploy --dry-run --env production, as configured; target gzip ≤ 100 KiB)',
    ['', 'raw', 'gzip'],
    [['Total Upload', `${bundle.rawKiB} KiB`, `${bundle.gzipKiB} KiB`]],
  )

  printImport(imports, '6.')

  printFlows(flows, '7.')
  table(
    '8. Lighthouse 12.2.3, mobile (simulated throttling)',
    ['page', 'performance', 'accessibility', 'best practices', 'SEO'],
    lighthouse.map(({ path, scores }) => [
      path,
      scores.performance ?? '',
      scores.accessibility ?? '',
      scores['best-practices'] ?? '',
      scores.seo ?? '',
    ]),
  )
  table(
    `9. GET /connexion alone and while 4 sign-ins hash (1 connection × ${LOAD.durationMs / 1000} s)`,
    ['', 'requests', 'p50', 'p99'],
    [getAlone, getDuringSignIns].map((r) => [r.route, r.requests, ms(r.p50), ms(r.p99)]),
  )
  table(
    '10. D1 round trips per route (test/routes/round-trips.test.ts, counting wrapper on the real binding; D1 allows 1 000 queries an invocation)',
    ['route', 'D1 calls', 'queries'],
    roundTrips.map((r) => [r.route, r.calls, r.queries]),
  )
  printCronRows(cronRows, '10b.')
  printRecoveryTiming(recovery, '11. Recovery answer time')
  printStorms(storms, '12. Sign-in storms on one local isolate')

  const wranglerVersion = JSON.parse(
    readFileSync(join(root, 'node_modules/wrangler/package.json'), 'utf8'),
  ).version
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      wrangler: wranglerVersion,
    },
    bytes,
    load,
    hash,
    overhead,
    bundle,
    imports,
    flows,
    lighthouse,
    getUnderSignIns: { alone: getAlone, during: getDuringSignIns },
    roundTrips,
    recovery,
    storms,
  }
  writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)
  console.log(
    `\n${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}, wrangler ${wranglerVersion}`,
  )
  console.log('Written: bench/results.json')
} finally {
  await hashWorker.stop()
  await app.stop()
}
