// A challenge instead of a wall (Cloudflare Turnstile, privacy-respecting, no tracking cookies): past
// a per-client limit, a browser with JavaScript is asked to prove it is a person, and a solved
// challenge lets its attempt through, still counted per number. Many families share one network (the
// town hall's Wi-Fi, a school, a carrier's CGNAT): a wall there would stop all of them at once.
// developers.cloudflare.com/turnstile/get-started/server-side-validation/

export type ChallengeSettings = {
  siteKey: string
  secretKey: string
  scriptUrl: string
  // null: the development stand-in, checked here (no machine of ours reaches Cloudflare's).
  verifyUrl: string | null
}

// Allowed by the CSP (middleware/security.ts), loaded only when a challenge is shown.
export const TURNSTILE_ORIGIN = 'https://challenges.cloudflare.com'
export const TURNSTILE_SCRIPT_URL = `${TURNSTILE_ORIGIN}/turnstile/v0/api.js`

// Turnstile's documented test keys and dummy token (developers.cloudflare.com/turnstile/troubleshooting/testing/).
export const TEST_SITE_KEY = '1x00000000000000000000AA'
export const TEST_SECRET_PASSES = '1x0000000000000000000000000000000AA'
export const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX'
// The form field the widget fills.
export const CHALLENGE_FIELD = 'cf-turnstile-response'
const TIMEOUT_MS = 5_000

/**
 * Whether `token` is a challenge solved for this site (siteverify, with the client's address).
 * Anything else (no token, a refused or spent one, a provider that does not answer in 5 s) is false:
 * the client is then limited as before.
 */
export async function challengeSolved(
  settings: ChallengeSettings,
  token: string | undefined,
  remoteIp: string | undefined,
): Promise<boolean> {
  if (!token || token.length > 2048) return false
  if (settings.verifyUrl === null) {
    return token === DUMMY_TOKEN && settings.secretKey === TEST_SECRET_PASSES
  }
  const body = new URLSearchParams({ secret: settings.secretKey, response: token })
  if (remoteIp) body.set('remoteip', remoteIp)
  try {
    const response = await fetch(settings.verifyUrl, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    if (!response.ok) return false
    const outcome = (await response.json()) as { success?: unknown }
    return outcome.success === true
  } catch {
    return false
  }
}
