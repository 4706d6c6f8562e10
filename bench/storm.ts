import { execFileSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'

// A crowd at opening time on one local isolate: `count` wrong-password sign-ins sent at once, each
// from its own loopback address, while one connection keeps asking for GET /connexion. Reports how
// long the storm takes, the sign-ins' latencies, the page's latencies during it, the workerd process's
// peak memory over its idle memory, and the answers' statuses. Traffic goes to 127.0.0.1 only, and the
// storm is bounded (one request per sign-in, the page loop stops with it).
export type StormResult = {
  signIns: number
  finishedInMs: number
  signIn: { p50: number; p95: number; max: number }
  page: { idleP50: number; idleP99: number; p50: number; p99: number; requests: number }
  memory: { idleMiB: number; peakMiB: number; growthMiB: number }
  statuses: Record<number, number>
  serialHashMs: number
}

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

/** Resident memory of the workerd processes of wrangler's process group, in MiB (Linux /proc). */
function workerdMiB(processGroup: number): number {
  const lines = execFileSync('ps', ['-eo', 'pgid=,rss=,comm='], { encoding: 'utf8' }).split('\n')
  let kib = 0
  for (const line of lines) {
    const [pgid, rss, command] = line.trim().split(/\s+/)
    if (Number(pgid) === processGroup && command === 'workerd') kib += Number(rss)
  }
  return kib / 1024
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

export async function measureStorm(
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
  const idleMiB = workerdMiB(app.processGroup)

  let peakMiB = idleMiB
  let storming = true
  const sampler = (async () => {
    while (storming) {
      peakMiB = Math.max(peakMiB, workerdMiB(app.processGroup))
      await sleep(25)
    }
  })()
  const pageLatencies: number[] = []
  const pages = (async () => {
    while (storming) pageLatencies.push((await page(app.baseUrl)).ms)
  })()
  const started = performance.now()
  const answers = await Promise.all(
    Array.from({ length: count }, (_, index) => signIn(app.baseUrl, index, familyNumber)),
  )
  const finishedInMs = performance.now() - started
  storming = false
  await Promise.all([sampler, pages])

  const statuses: Record<number, number> = {}
  for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1
  const latencies = answers.map((answer) => answer.ms)
  return {
    signIns: count,
    finishedInMs,
    signIn: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: Math.max(...latencies),
    },
    page: {
      idleP50: percentile(idle, 0.5),
      idleP99: percentile(idle, 0.99),
      p50: percentile(pageLatencies, 0.5),
      p99: percentile(pageLatencies, 0.99),
      requests: pageLatencies.length,
    },
    memory: { idleMiB, peakMiB, growthMiB: peakMiB - idleMiB },
    statuses,
    serialHashMs,
  }
}
