import type { Db } from '../db/client'
import { findDeviceOfFamily } from './records/devices'
import { hexEqual, hmacHex, randomHex } from './crypto'
import { RETENTION } from './retention'

// OWASP Authentication cheat sheet, "Slow down online guessing attacks with device cookies": a browser
// where a family signed in with its password carries a token signed for that family number AND its
// password version, so a password change (or a temporary password's use, which forgets the family's
// devices) makes every older cookie an unknown client again: whoever knew the old password keeps no
// budget of their own. A cookie counts only while its device is remembered (records/devices.ts: the
// 10 most recent).
// The token holds no personal data: a date, a random id and an HMAC binding them to the number.

const TOKEN = /^(\d{1,12})\.([0-9a-f]{32})\.([0-9a-f]{64})$/

type DeviceToken = { issuedAt: string; id: string; mac: string }

const signature = (secret: string, familyNumber: string, version: number, token: DeviceToken) =>
  hmacHex(secret, `device:${familyNumber}:${version}:${token.issuedAt}:${token.id}`)

/** A device token for a family number at its current password version (`id`: the browser's own). */
export function issueDeviceToken(
  secret: string,
  family: { familyNumber: string; passwordVersion: number },
  now: number,
  id = randomHex(16),
): string {
  const token = { issuedAt: String(Math.floor(now / 1000)), id, mac: '' }
  return `${token.issuedAt}.${id}.${signature(secret, family.familyNumber, family.passwordVersion, token)}`
}

/** The token's parts when it is well formed and not expired; null otherwise (costs no query). */
function parseDeviceToken(token: string | undefined, now: number): DeviceToken | null {
  const match = token ? TOKEN.exec(token) : null
  if (!match) return null
  const [, issuedAt, id, mac] = match as unknown as [string, string, string, string]
  if (Number(issuedAt) * 1000 + RETENTION.deviceCookieMs <= now) return null
  return { issuedAt, id, mac }
}

/**
 * The device's id when `cookie` was signed for `familyNumber` at the family's current password version
 * and the device is still remembered; null otherwise (no cookie, another family's, forged, too old,
 * older than the password, forgotten): such a browser is an unknown client. One read, only when a
 * well-formed cookie is sent.
 */
export async function trustedDeviceId(
  db: Db,
  secret: string,
  cookie: string | undefined,
  familyNumber: string,
  now: number,
): Promise<string | null> {
  const token = parseDeviceToken(cookie, now)
  if (!token) return null
  const row = await findDeviceOfFamily(db, familyNumber, token.id)
  if (!row?.known) return null
  const expected = signature(secret, familyNumber, row.passwordVersion, token)
  return hexEqual(token.mac, expected) ? token.id : null
}
