import { decode, verifyWithJwks } from 'hono/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'

// The commune's agents reach /agents through Cloudflare Access only (docs/agents-console.md). Access puts a
// signed JWT in the `Cf-Access-Jwt-Assertion` header; the app checks it itself (Cloudflare's
// "Validate JWTs" guide): RS256, issuer = the team domain, audience = the application's AUD tag, an
// expiry, key from the team's /cdn-cgi/access/certs. Anything else is refused, whatever the environment.
// `emailDomains`: when set (AGENT_EMAIL_DOMAINS), only identities of these domains are agents: an
// Access policy that lets in more (a one-time PIN to any address, a wide identity provider) does not
// open the console to them.
export type AccessSettings = { teamDomain: string; audience: string; emailDomains: string[] }
export type Agent = { email: string }

const CERTS_TTL_MS = 10 * 60_000
// A stranger can send tokens with made-up key ids as fast as they like: each one must not become a
// request to Access. At most one fetch a minute per isolate, however many tokens ask for one.
const CERTS_FETCH_INTERVAL_MS = 60_000
// A slow or unreachable Access must not hold the agents' requests (and the isolate) open.
const CERTS_TIMEOUT_MS = 5_000

type Certs = { url: string; keys: HonoJsonWebKey[] }
let certs: (Certs & { fetchedAt: number }) | undefined
let lastFetch: { url: string; at: number; keys: Promise<HonoJsonWebKey[]> } | undefined

async function fetchCerts(url: string): Promise<HonoJsonWebKey[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(CERTS_TIMEOUT_MS) })
  if (!response.ok) throw new Error(`Access certs: HTTP ${response.status}`)
  const { keys } = (await response.json()) as { keys?: HonoJsonWebKey[] }
  if (!Array.isArray(keys)) throw new Error('Access certs: no keys')
  return keys
}

/** The team's keys: cached, refreshed when stale or missing `kid`, fetched at most once a minute. */
function accessKeys(url: string, kid: unknown, now: number): Promise<HonoJsonWebKey[]> {
  const cached = certs?.url === url ? certs : undefined
  const fresh = cached && now - cached.fetchedAt < CERTS_TTL_MS
  if (fresh && cached.keys.some((key) => key.kid === kid)) return Promise.resolve(cached.keys)
  // Concurrent requests share the fetch under way; a failed fetch also waits out the minute.
  if (lastFetch?.url === url && now - lastFetch.at < CERTS_FETCH_INTERVAL_MS) return lastFetch.keys
  const keys = fetchCerts(url).then(
    (fetched) => {
      certs = { url, keys: fetched, fetchedAt: now }
      return fetched
    },
    () => cached?.keys ?? [],
  )
  lastFetch = { url, at: now, keys }
  return keys
}

// Why a token was refused, for the log (never the token): what the commune's IT service checks first.
const REFUSALS: Record<string, string> = {
  JwtTokenExpired: 'token expired',
  JwtTokenNotBefore: 'token not yet valid',
  JwtTokenIssuedAt: 'token issued in the future',
  JwtTokenIssuer: 'issuer is not ACCESS_TEAM_DOMAIN',
  JwtTokenAudience: 'audience is not ACCESS_AUD',
  JwtPayloadRequiresAud: 'token without audience',
  JwtTokenSignatureMismatched: 'signature does not match the team certificates',
  JwtAlgorithmNotAllowed: 'algorithm other than RS256',
  JwtAlgorithmMismatch: 'algorithm other than RS256',
  JwtHeaderRequiresKid: 'token without key id',
}

// `email`: a valid Access identity outside AGENT_EMAIL_DOMAINS, told so on its page.
export type AgentCheck = { agent: Agent } | { refused: string; email?: string }

/**
 * The agent the token names, or why it is refused: missing, forged, expired, unexpiring or foreign
 * token, or the team's certificates out of reach.
 */
export async function verifyAgent(
  token: string | undefined,
  settings: AccessSettings,
  now = Date.now(),
): Promise<AgentCheck> {
  if (!token) return { refused: 'no Access token (the request did not come through Access)' }
  const url = `${settings.teamDomain}/cdn-cgi/access/certs`
  try {
    const { header, payload: claims } = decode(token)
    // hono checks `exp` only when present: a token without one would never expire (RFC 7519 4.1.4).
    if (typeof claims.exp !== 'number') return { refused: 'token without expiry' }
    const keys = await accessKeys(url, header.kid, now)
    if (!keys.some((key) => key.kid === header.kid)) {
      return {
        refused: `no certificate for its key id at ${url} (team domain, or Access unreachable)`,
      }
    }
    const payload = await verifyWithJwks(token, {
      keys,
      verification: { iss: settings.teamDomain, aud: settings.audience },
      allowedAlgorithms: ['RS256'],
    })
    if (typeof payload.email !== 'string') return { refused: 'token without e-mail' }
    const domain = payload.email.slice(payload.email.lastIndexOf('@') + 1).toLowerCase()
    if (settings.emailDomains.length > 0 && !settings.emailDomains.includes(domain)) {
      return { refused: 'e-mail domain not in AGENT_EMAIL_DOMAINS', email: payload.email }
    }
    return { agent: { email: payload.email } }
  } catch (error) {
    return { refused: REFUSALS[(error as Error).name] ?? 'malformed token' }
  }
}
