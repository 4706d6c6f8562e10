import { and, asc, desc, eq, notExists, notInArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { devices, families } from '../../db/schema'

// The browsers where a family signed in (services/devices.ts signs their cookies): a cookie is
// honoured only while its device is here, so agents can forget them and only the most recent count.
export const DEVICES_PER_FAMILY = 10

/** The family's password version, and whether `deviceId` is one of its remembered devices. */
export function findDeviceOfFamily(db: Db, familyNumber: string, deviceId: string) {
  return db
    .select({ passwordVersion: families.passwordVersion, known: devices.deviceId })
    .from(families)
    .leftJoin(devices, and(eq(devices.familyId, families.id), eq(devices.deviceId, deviceId)))
    .where(eq(families.familyNumber, familyNumber))
    .get()
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
