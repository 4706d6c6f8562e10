import { decode, verifyWithJwks } from 'hono/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'

// The commune's agents reach /agents through Cloudflare Access only (PRODUCT.md §11). Access puts a
// signed JWT in the `Cf-Access-Jwt-Assertion` header; the app checks it itself (Cloudflare's
// "Validate JWTs" guide): RS256, issuer = the team domain, audience = the application's AUD tag, key
// from the team's /cdn-cgi/access/certs. Anything else is refused, whatever the environment.
export type AccessSettings = { teamDomain: string; audience: string }
export type Agent = { email: string }

const CERTS_TTL_MS = 10 * 60_000
let certs: { url: string; keys: HonoJsonWebKey[]; fetchedAt: number } | undefined

async function accessKeys(url: string, now: number, refresh: boolean): Promise<HonoJsonWebKey[]> {
  if (!refresh && certs?.url === url && now - certs.fetchedAt < CERTS_TTL_MS) return certs.keys
  const response = await fetch(url)
  if (!response.ok) throw new Error(`Access certs: HTTP ${response.status}`)
  const { keys } = (await response.json()) as { keys?: HonoJsonWebKey[] }
  if (!Array.isArray(keys)) throw new Error('Access certs: no keys')
  certs = { url, keys, fetchedAt: now }
  return keys
}

/** The agent the token names, or null for a missing, forged, expired or foreign token. */
export async function verifyAgent(
  token: string | undefined,
  settings: AccessSettings,
  now = Date.now(),
): Promise<Agent | null> {
  if (!token) return null
  const url = `${settings.teamDomain}/cdn-cgi/access/certs`
  try {
    const { kid } = decode(token).header
    let keys = await accessKeys(url, now, false)
    // A key rotated since the certs were cached: fetch them once more.
    if (!keys.some((key) => key.kid === kid)) keys = await accessKeys(url, now, true)
    const payload = await verifyWithJwks(token, {
      keys,
      verification: { iss: settings.teamDomain, aud: settings.audience },
      allowedAlgorithms: ['RS256'],
    })
    return typeof payload.email === 'string' ? { email: payload.email } : null
  } catch {
    return null
  }
}
