import { and, asc, eq, exists, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { families } from '../../db/schema'
import { RETENTION } from '../retention'

export type { Family } from '../../db/schema'

export function findFamilyByNumber(db: Db, familyNumber: string) {
  return db.select().from(families).where(eq(families.familyNumber, familyNumber)).get()
}

/** The same read as a statement for a db.batch: zero or one family. */
export function findFamilyByNumberStatement(db: Db, familyNumber: string) {
  return db.select().from(families).where(eq(families.familyNumber, familyNumber)).limit(1)
}

export function findFamilyById(db: Db, familyId: number) {
  return db.select().from(families).where(eq(families.id, familyId)).get()
}

const passwordStillAt = (familyId: number, version: number) =>
  and(eq(families.id, familyId), eq(families.passwordVersion, version))

/** In a batch statement's condition: the family's password is still the one verified at `version`. */
export const passwordUnchanged = (db: Db, familyId: number, version: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(families)
      .where(passwordStillAt(familyId, version)),
  )

/** In a batch statement's condition: the family is open (no import closed it meanwhile). */
export const familyOpen = (db: Db, familyId: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(families)
      .where(and(eq(families.id, familyId), isNull(families.closedAt))),
  )

/** Records a successful sign-in, keeping the previous one for the family space, if `fence` holds. */
export function recordSignInStatement(
  db: Db,
  family: { id: number; lastSignInAt: number | null },
  now: number,
  fence: SQL,
) {
  return db
    .update(families)
    .set({ previousSignInAt: family.lastSignInAt, lastSignInAt: now })
    .where(and(eq(families.id, family.id), fence))
}

/**
 * Saves a new password if `condition` holds (the version that was checked is still current), and bumps
 * the version so that every sign-in or change that verified the old one loses its race. Returns the
 * family's id when it was saved: the decision of a password change's batch.
 */
export function setPasswordHashStatement(
  db: Db,
  input: { familyId: number; version: number; passwordHash: string; condition?: SQL },
  now: number,
) {
  return db
    .update(families)
    .set({
      passwordHash: input.passwordHash,
      passwordVersion: sql`${families.passwordVersion} + 1`,
      passwordChangedAt: now,
      updatedAt: now,
    })
    .where(and(passwordStillAt(input.familyId, input.version), input.condition))
    .returning({ id: families.id })
}

/** In the statements after it: true once the family's hash is `passwordHash` (unique by its salt). */
export const passwordSavedAs = (db: Db, familyId: number, passwordHash: string) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(families)
      .where(and(eq(families.id, familyId), eq(families.passwordHash, passwordHash))),
  )

/** Same password, stronger parameters: not a password change (sessions stay, no mail, same version). */
export function upgradePasswordHashStatement(
  db: Db,
  input: { familyId: number; version: number; passwordHash: string },
  fence: SQL,
) {
  return db
    .update(families)
    .set({ passwordHash: input.passwordHash })
    .where(and(passwordStillAt(input.familyId, input.version), fence))
}

/**
 * The open families registered with `email` (already trimmed and lowercased), through
 * families_email_idx, oldest first: the same families come first every time.
 */
export function findFamiliesByEmailStatement(db: Db, email: string) {
  return db
    .select()
    .from(families)
    .where(and(eq(sql`lower(${families.email})`, email), isNull(families.closedAt)))
    .orderBy(asc(families.id))
}

// A few hundred a run: a school year's closures all fall due in the same minute a year later.
const CLOSED_FAMILIES_DELETED_PER_RUN = 500

/**
 * Deletes the families closed for longer than their retention (their sessions, temporary passwords and
 * devices go with them; their events and mails lose the link).
 */
export function deleteLongClosedFamiliesStatement(db: Db, now: number) {
  const due = db
    .select({ id: families.id })
    .from(families)
    .where(and(isNotNull(families.closedAt), lt(families.closedAt, now - RETENTION.closedFamilyMs)))
    .limit(CLOSED_FAMILIES_DELETED_PER_RUN)
  return db.delete(families).where(inArray(families.id, due))
}

/**
 * The family's WebAuthn user handle, made once (`candidate` is kept only if it had none): every passkey
 * of the family carries the same one, so an authenticator replaces rather than duplicates it.
 */
export function ensurePasskeyUserIdStatement(db: Db, familyId: number, candidate: string) {
  return db
    .update(families)
    .set({ passkeyUserId: sql`coalesce(${families.passkeyUserId}, ${candidate})` })
    .where(eq(families.id, familyId))
    .returning({ passkeyUserId: families.passkeyUserId })
}

/** « Plus tard » on the passkey offer. */
export function dismissPasskeyOfferStatement(db: Db, familyId: number, now: number) {
  return db.update(families).set({ passkeyOfferDismissedAt: now }).where(eq(families.id, familyId))
}
