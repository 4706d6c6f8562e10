import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { families } from '../db/schema'

export function findFamilyByNumber(db: Db, familyNumber: string) {
  return db.select().from(families).where(eq(families.familyNumber, familyNumber)).get()
}

/** Records a successful sign-in, keeping the previous one for the family space. */
export function recordSignIn(db: Db, familyId: number, lastSignInAt: number | null, now: number) {
  return db
    .update(families)
    .set({ previousSignInAt: lastSignInAt, lastSignInAt: now })
    .where(eq(families.id, familyId))
}

export function setPasswordHash(db: Db, familyId: number, passwordHash: string, now: number) {
  return db
    .update(families)
    .set({ passwordHash, passwordChangedAt: now, updatedAt: now })
    .where(eq(families.id, familyId))
}

/** Same password, stronger parameters: not a password change (sessions stay, no mail). */
export function upgradePasswordHash(db: Db, familyId: number, passwordHash: string) {
  return db.update(families).set({ passwordHash }).where(eq(families.id, familyId))
}
