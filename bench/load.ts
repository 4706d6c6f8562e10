import { randomClientAddress } from '../scripts/lib/local-client'

// A bounded load on one route from this process: `connections` loops, each sending its next request
// as soon as the previous answer is read, for `durationMs`. Every latency is kept, so the percentiles
// are exact. Traffic goes to 127.0.0.1 only.
export type LoadResult = {
  route: string
  requests: number
  requestsPerSecond: number
  p50: number
  p95: number
  p99: number
  statuses: Record<number, number>
}

export type RequestSpec = {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  form?: () => Record<string, string>
}

const percentile = (sorted: number[], fraction: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!

export async function runLoad(
  baseUrl: string,
  route: string,
  spec: RequestSpec,
  options: { connections: number; durationMs: number },
): Promise<LoadResult> {
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  const started = performance.now()
  const deadline = started + options.durationMs
  const loop = async () => {
    while (performance.now() < deadline) {
      const form = spec.form?.()
      const sent = performance.now()
      const response = await fetch(`${baseUrl}${spec.path}`, {
        method: spec.method,
        redirect: 'manual',
        headers: {
          origin: baseUrl,
          // A different client each time, as many families would be: the burst limiter is per address.
          'cf-connecting-ip': randomClientAddress(),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...spec.headers,
        },
        body: form ? new URLSearchParams(form) : undefined,
      })
      await response.arrayBuffer()
      latencies.push(performance.now() - sent)
      statuses[response.status] = (statuses[response.status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: options.connections }, loop))
  const elapsed = (performance.now() - started) / 1000
  const sorted = latencies.sort((a, b) => a - b)
  return {
    route,
    requests: sorted.length,
    requestsPerSecond: sorted.length / elapsed,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    statuses,
  }
}
