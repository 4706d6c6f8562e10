import type { ClientNetwork } from '../client-key'

/** The bindings that count bursts: the client's own network, its /56, its /48 (wrangler.toml). */
export type BurstLimiters = readonly [RateLimit, RateLimit | undefined, RateLimit | undefined]

/**
 * Bursts of posts per client network, counted in memory at the edge by the Workers Rate Limiting
 * binding before any D1 work: one binding per prefix (×1, ×4, ×16), since a binding's limit is
 * fixed. The durable limits below are in D1.
 */
export async function burstAllowed(
  limiters: BurstLimiters,
  networks: ClientNetwork[],
): Promise<boolean> {
  const outcomes = await Promise.all(
    networks.map(async (network) => {
      const limiter = limiters[network.prefix]
      return limiter ? (await limiter.limit({ key: network.key })).success : true
    }),
  )
  return outcomes.every(Boolean)
}
