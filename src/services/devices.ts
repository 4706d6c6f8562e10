import { hexEqual, hmacHex, randomHex } from './crypto'
import { RETENTION } from './retention'

// OWASP Authentication cheat sheet, "Slow down online guessing attacks with device cookies": a browser
// where a family signed in carries a token signed for that family number. Its failures are counted for
// that device alone, so a stranger who locks the number for everyone else cannot lock the family out.
// The token holds no personal data: a date, a random id and an HMAC binding them to the number.

const TOKEN = /^(\d{1,12})\.([0-9a-f]{32})\.([0-9a-f]{64})$/

const signature = (secret: string, familyNumber: string, issuedAt: string, id: string) =>
  hmacHex(secret, `device:${familyNumber}:${issuedAt}:${id}`)

/** A new device token for a family number. */
export function issueDeviceToken(secret: string, familyNumber: string, now: number): string {
  const issuedAt = String(Math.floor(now / 1000))
  const id = randomHex(16)
  return `${issuedAt}.${id}.${signature(secret, familyNumber, issuedAt, id)}`
}

/**
 * The device's id when `token` was signed for `familyNumber` and has not expired; null otherwise
 * (no cookie, another family's, forged, or too old): such a browser is an unknown client.
 */
export function trustedDeviceId(
  secret: string,
  token: string | undefined,
  familyNumber: string,
  now: number,
): string | null {
  const match = token ? TOKEN.exec(token) : null
  if (!match) return null
  const [, issuedAt, id, mac] = match as unknown as [string, string, string, string]
  if (Number(issuedAt) * 1000 + RETENTION.deviceCookieMs <= now) return null
  return hexEqual(mac, signature(secret, familyNumber, issuedAt, id)) ? id : null
}
