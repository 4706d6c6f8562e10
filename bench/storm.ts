import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomNumber } from '../scripts/lib/local-client'
import { startLocalServer } from '../scripts/lib/local-server'

// A crowd at opening time on one local isolate: `count` wrong-password sign-ins sent at once, each
// from its own loopback address, twice: alone, then while one connection keeps asking for
// GET /connexion. Reports how long the storm takes, the sign-ins' latencies, the workerd process's
// peak memory over its idle memory and the answers' statuses (from the first), and the page's
// latencies during the second. Traffic goes to 127.0.0.1 only, and the
// storm is bounded (one request per sign-in, the page loop stops with it).
export type StormResult = {
  signIns: number
  finishedInMs: number
  finishedWithPagesInMs: number
  signIn: { p50: number; p95: number; max: number }
  page: { idleP50: number; idleP99: number; p50: number; p99: number; requests: number }
  memory: { idleMiB: number; peakMiB: number; growthMiB: number; pagesAtOnceGrowthMiB: number }
  statuses: Record<number, number>
  serialHashMs: number
}

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

/**
 * The workerd process that runs the app, in wrangler's process group (found once: `ps` is too slow to
 * poll). `wrangler dev` starts two: its proxy, which listens on the app's address, and the app's own,
 * whose growth is the isolate's; the proxy's is not the Worker's and is left out.
 */
function appWorkerdPids(app: { baseUrl: string; processGroup: number }): number[] {
  const proxyAddress = `entry=${new URL(app.baseUrl).host}`
  const lines = execFileSync('ps', ['-eo', 'pgid=,pid=,comm=,args='], { encoding: 'utf8' })
  const pids: number[] = []
  for (const line of lines.split('\n')) {
    const [pgid, pid, command, ...args] = line.trim().split(/\s+/)
    if (Number(pgid) !== app.processGroup || command !== 'workerd') continue
    if (!args.some((arg) => arg.endsWith(proxyAddress))) pids.push(Number(pid))
  }
  if (pids.length !== 1) throw new Error(`expected one app workerd process, found ${pids.length}`)
  return pids
}

/**
 * Their resident memory in MiB, read from /proc (Linux): a read of a few bytes, so polling it every
 * 25 ms does not hold up this process's event loop, which times the requests.
 */
function residentMiB(pids: number[]): number {
  let pages = 0
  for (const pid of pids) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1])
    } catch {
      // The process ended.
    }
  }
  return (pages * 4096) / 1024 / 1024
}

async function timed(url: string, init?: RequestInit) {
  const started = performance.now()
  const response = await fetch(url, { redirect: 'manual', ...init })
  await response.arrayBuffer()
  return { ms: performance.now() - started, status: response.status }
}

const signIn = (baseUrl: string, index: number, familyNumber: string) =>
  timed(`${baseUrl}/connexion`, {
    method: 'POST',
    headers: {
      origin: baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
      'cf-connecting-ip': `127.90.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    },
    body: new URLSearchParams({ identifier: familyNumber, password: 'Mauvais-2026' }),
  })

const page = (baseUrl: string) => timed(`${baseUrl}/connexion`)

type Storm = {
  finishedInMs: number
  answers: Array<{ ms: number; status: number }>
  peakMiB: number
  pageLatencies: number[]
}

/**
 * `count` sign-ins sent at once, sampling workerd's memory; with `withPages`, one connection asks for
 * GET /connexion all along (its pages cost the isolate CPU too, so the storm's time is measured
 * without them).
 */
async function storm(
  baseUrl: string,
  pids: number[],
  count: number,
  familyNumber: string,
  withPages: boolean,
): Promise<Storm> {
  let peakMiB = residentMiB(pids)
  let storming = true
  const sampler = (async () => {
    while (storming) {
      peakMiB = Math.max(peakMiB, residentMiB(pids))
      await sleep(25)
    }
  })()
  const pageLatencies: number[] = []
  const pages = (async () => {
    while (storming && withPages) pageLatencies.push((await page(baseUrl)).ms)
  })()
  const started = performance.now()
  const answers = await Promise.all(
    Array.from({ length: count }, (_, index) => signIn(baseUrl, index, familyNumber)),
  )
  const finishedInMs = performance.now() - started
  storming = false
  await Promise.all([sampler, pages])
  return { finishedInMs, answers, peakMiB, pageLatencies }
}

/** The app process's growth when `count` GET /connexion arrive at once: the isolate's own share. */
async function pagesAtOnceGrowthMiB(app: { baseUrl: string; processGroup: number }, count: number) {
  const pids = appWorkerdPids(app)
  const idleMiB = residentMiB(pids)
  let peakMiB = idleMiB
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      peakMiB = Math.max(peakMiB, residentMiB(pids))
      await sleep(25)
    }
  })()
  await Promise.all(Array.from({ length: count }, () => page(app.baseUrl)))
  await sleep(100)
  sampling = false
  await sampler
  return peakMiB - idleMiB
}

// The storm measures the hash's own cost: no per-number or per-client limit turns it into 429s.
export const STORM_VARS = {
  SIGNIN_FAILURES_PER_NUMBER: '1000',
  SIGNIN_FAILURES_PER_CLIENT: '100000',
}

/**
 * Each storm on an app of its own, fresh as after a deployment (an isolate's memory, once grown, is
 * not given back), and the same count of pages at once on another, for the isolate's own growth.
 */
export async function measureStorms(counts: number[]): Promise<StormResult[]> {
  const results: StormResult[] = []
  for (const count of counts) {
    const forPages = await startLocalServer({ seedSql: 'select 1;', vars: STORM_VARS })
    let ownGrowth: number
    try {
      ownGrowth = await pagesAtOnceGrowthMiB(forPages, count)
    } finally {
      await forPages.stop()
    }
    const app = await startLocalServer({ seedSql: 'select 1;', vars: STORM_VARS })
    try {
      const result = await measureStorm(app, count, randomNumber())
      result.memory.pagesAtOnceGrowthMiB = ownGrowth
      results.push(result)
    } finally {
      await app.stop()
    }
  }
  return results
}

async function measureStorm(
  app: { baseUrl: string; processGroup: number },
  count: number,
  familyNumber: string,
): Promise<StormResult> {
  const idle: number[] = []
  for (let i = 0; i < 50; i++) idle.push((await page(app.baseUrl)).ms)
  // One hash after another, for the throughput comparison.
  const serial: number[] = []
  for (let i = 0; i < 5; i++) serial.push((await signIn(app.baseUrl, 10_000 + i, familyNumber)).ms)
  const serialHashMs = percentile(serial, 0.5)
  await sleep(500)
  const pids = appWorkerdPids(app)
  const idleMiB = residentMiB(pids)

  const alone = await storm(app.baseUrl, pids, count, familyNumber, false)
  await sleep(500)
  const withPages = await storm(app.baseUrl, pids, count, familyNumber, true)

  const statuses: Record<number, number> = {}
  for (const { status } of alone.answers) statuses[status] = (statuses[status] ?? 0) + 1
  const latencies = alone.answers.map((answer) => answer.ms)
  return {
    signIns: count,
    finishedInMs: alone.finishedInMs,
    finishedWithPagesInMs: withPages.finishedInMs,
    signIn: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: Math.max(...latencies),
    },
    page: {
      idleP50: percentile(idle, 0.5),
      idleP99: percentile(idle, 0.99),
      p50: percentile(withPages.pageLatencies, 0.5),
      p99: percentile(withPages.pageLatencies, 0.99),
      requests: withPages.pageLatencies.length,
    },
    memory: {
      idleMiB,
      peakMiB: alone.peakMiB,
      growthMiB: alone.peakMiB - idleMiB,
      pagesAtOnceGrowthMiB: 0,
    },
    statuses,
    serialHashMs,
  }
}
