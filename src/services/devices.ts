import { and, asc, desc, eq, notExists, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { insertWhereStatement } from '../db/conditional'
import { devices, families } from '../db/schema'
import { hexEqual, hmacHex, randomHex } from './crypto'
import { RETENTION } from './retention'

// OWASP Authentication cheat sheet, "Slow down online guessing attacks with device cookies": a browser
// where a family signed in with its password carries a token signed for that family number AND its
// password version, so a password change (or a temporary password's use, which forgets the family's
// devices) makes every older cookie an unknown client again: whoever knew the old password keeps no
// budget of their own. A cookie counts only while its device is remembered here (the 10 most recent).
// The token holds no personal data: a date, a random id and an HMAC binding them to the number.

const TOKEN = /^(\d{1,12})\.([0-9a-f]{32})\.([0-9a-f]{64})$/
export const DEVICES_PER_FAMILY = 10

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
  const row = await db
    .select({ passwordVersion: families.passwordVersion, known: devices.deviceId })
    .from(families)
    .leftJoin(devices, and(eq(devices.familyId, families.id), eq(devices.deviceId, token.id)))
    .where(eq(families.familyNumber, familyNumber))
    .get()
  if (!row?.known) return null
  const expected = signature(secret, familyNumber, row.passwordVersion, token)
  return hexEqual(token.mac, expected) ? token.id : null
}

/**
 * Remembers the device a family just signed in from, as statements for the sign-in's batch (each only
 * if `fence` holds): its last sign-in, or a new row; then only the 10 most recent stay.
 */
export function rememberDeviceStatements(
  db: Db,
  input: { familyId: number; deviceId: string; now: number },
  fence: SQL,
) {
  const { familyId, deviceId, now } = input
  const thisDevice = and(eq(devices.familyId, familyId), eq(devices.deviceId, deviceId))
  const recent = db
    .select({ id: devices.deviceId })
    .from(devices)
    .where(eq(devices.familyId, familyId))
    .orderBy(desc(devices.lastSignInAt))
    .limit(DEVICES_PER_FAMILY)
  return [
    db.update(devices).set({ lastSignInAt: now }).where(and(thisDevice, fence)),
    insertWhereStatement(
      db,
      devices,
      { familyId, deviceId, firstSignInAt: now, lastSignInAt: now },
      and(
        fence,
        notExists(
          db
            .select({ one: sql`1` })
            .from(devices)
            .where(thisDevice),
        ),
      ),
    ),
    db
      .delete(devices)
      .where(and(eq(devices.familyId, familyId), notInArray(devices.deviceId, recent), fence)),
  ]
}

/** Forgets every device of the family, if `fence` holds: their cookies become unknown clients. */
export function forgetDevicesStatement(db: Db, familyId: number, fence?: SQL) {
  return db
    .delete(devices)
    .where(and(eq(devices.familyId, familyId), fence))
    .returning({ id: devices.deviceId })
}

/** The family's remembered devices, for the agents (dates only: never an id or a cookie). */
export function listDevicesStatement(db: Db, familyId: number) {
  return db
    .select({ firstSignInAt: devices.firstSignInAt, lastSignInAt: devices.lastSignInAt })
    .from(devices)
    .where(eq(devices.familyId, familyId))
    .orderBy(desc(devices.lastSignInAt), asc(devices.firstSignInAt))
}
