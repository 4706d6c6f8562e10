import { and, desc, eq, exists, gt, isNull, lt, ne, notExists, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { families, temporaryPasswords } from '../../db/schema'
import { hexEqual, randomHex, sha256Hex } from '../crypto'

// OWASP Forgot Password cheat sheet; Copenhagen Book "Password reset". 128 random bits, only their
// SHA-256 stored, short expiry, single use enforced by one conditional UPDATE.
const TEMPORARY_PASSWORD = /^[0-9a-f]{32}$/

export function generateTemporaryPassword(): string {
  return randomHex(16)
}

/** Pasted from a mail with spaces around it, or typed in capitals, it is still the same password. */
export function normalizeTemporaryPassword(typed: string): string | null {
  const candidate = typed.trim().toLowerCase()
  return TEMPORARY_PASSWORD.test(candidate) ? candidate : null
}

export const hashTemporaryPassword = (secret: string) => sha256Hex(secret)

// Live: not used yet and not expired. The one rule the sign-in's lookup and the batches' fences share.
const isLive = (now: number) =>
  and(isNull(temporaryPasswords.usedAt), gt(temporaryPasswords.expiresAt, now))

// Restricted sign-ins one temporary password may open: enough for a family that tries twice from
// two browsers, few enough that one mailed password cannot grow the sessions table.
export const SIGN_INS_PER_TEMPORARY_PASSWORD = 10

/**
 * Statements for a db.batch, decided by the first: a new temporary password is stored unless the
 * family received one less than `spacingMs` ago that is still live (that one is in its mailbox);
 * once stored, it voids every older one. `issued` is true, in the statements after them, exactly when
 * it was stored. A spacing of 0 always issues (an agent's or the staff command's explicit request).
 */
export function issueTemporaryPasswordStatements(
  db: Db,
  input: { familyId: number; secret: string; expiresAt: number; spacingMs: number },
  now: number,
) {
  const secretHash = hashTemporaryPassword(input.secret)
  const t = temporaryPasswords
  const recentLive = and(
    eq(t.familyId, input.familyId),
    isLive(now),
    gt(t.createdAt, now - input.spacingMs),
  )
  const issued = exists(
    db
      .select({ one: sql`1` })
      .from(t)
      .where(eq(t.secretHash, secretHash)),
  )
  const insert = insertWhereStatement(
    db,
    t,
    { familyId: input.familyId, secretHash, expiresAt: input.expiresAt, createdAt: now },
    input.spacingMs > 0
      ? notExists(
          db
            .select({ one: sql`1` })
            .from(t)
            .where(recentLive),
        )
      : undefined,
  )
  const voidOlder = (fence: SQL) =>
    db.delete(t).where(and(eq(t.familyId, input.familyId), ne(t.secretHash, secretHash), fence))
  return { insert, voidOlder, issued }
}

/**
 * The family whose number is `familyNumber` with its live (unused, unexpired) temporary password,
 * when `typed` is that password; null otherwise. One query, the same whether the number exists or not.
 */
export async function findLiveTemporaryPassword(
  db: Db,
  familyNumber: string,
  typed: string,
  now: number,
) {
  const secret = normalizeTemporaryPassword(typed)
  if (!secret) return null
  const row = await db
    .select({ family: families, temporaryPassword: temporaryPasswords })
    .from(temporaryPasswords)
    .innerJoin(families, eq(families.id, temporaryPasswords.familyId))
    .where(
      and(
        eq(families.familyNumber, familyNumber),
        eq(temporaryPasswords.secretHash, hashTemporaryPassword(secret)),
        isLive(now),
      ),
    )
    .get()
  return row ?? null
}

/** In a batch statement's condition: the temporary password `id` is still live (unused, unexpired). */
export const temporaryPasswordLive = (db: Db, id: number, now: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(temporaryPasswords)
      .where(and(eq(temporaryPasswords.id, id), isLive(now))),
  )

/** In a sign-in batch's condition: `id` is live and has opened fewer than the restricted sign-ins allowed. */
export const temporaryPasswordOpens = (db: Db, id: number, now: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(temporaryPasswords)
      .where(
        and(
          eq(temporaryPasswords.id, id),
          isLive(now),
          lt(temporaryPasswords.signIns, SIGN_INS_PER_TEMPORARY_PASSWORD),
        ),
      ),
  )

/** Counts a restricted sign-in opened with `id`, if `fence` holds. */
export function countTemporarySignInStatement(db: Db, id: number, fence: SQL) {
  return db
    .update(temporaryPasswords)
    .set({ signIns: sql`${temporaryPasswords.signIns} + 1` })
    .where(and(eq(temporaryPasswords.id, id), fence))
}

/** After `countTemporarySignInStatement`: true when that was the first sign-in with `id`. */
export const firstTemporarySignIn = (db: Db, id: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(temporaryPasswords)
      .where(and(eq(temporaryPasswords.id, id), eq(temporaryPasswords.signIns, 1))),
  )

/** The family's live temporary password, if any: when it was sent and until when it works. */
export function liveTemporaryPasswordOfFamilyStatement(db: Db, familyId: number, now: number) {
  return db
    .select({ createdAt: temporaryPasswords.createdAt, expiresAt: temporaryPasswords.expiresAt })
    .from(temporaryPasswords)
    .where(
      and(
        eq(temporaryPasswords.familyId, familyId),
        isNull(temporaryPasswords.usedAt),
        gt(temporaryPasswords.expiresAt, now),
      ),
    )
    .orderBy(desc(temporaryPasswords.createdAt))
    .limit(1)
}

/** Marks it used, if `fence` holds, as a statement for the password change's batch. */
export function consumeTemporaryPasswordStatement(db: Db, id: number, now: number, fence: SQL) {
  return db
    .update(temporaryPasswords)
    .set({ usedAt: now })
    .where(and(eq(temporaryPasswords.id, id), isNull(temporaryPasswords.usedAt), fence))
}

/** Voids every temporary password of the family, if `fence` holds (a change made by choice, an agent). */
export function voidTemporaryPasswordsStatement(db: Db, familyId: number, fence?: SQL) {
  return db
    .delete(temporaryPasswords)
    .where(and(eq(temporaryPasswords.familyId, familyId), fence))
    .returning({ id: temporaryPasswords.id })
}

/** Whether `candidate` is the temporary password whose hash is `secretHash` (it cannot become the
 * new password). The hash comes with the session (sessions.ts): no query. */
export function isTemporaryPassword(secretHash: string, candidate: string): boolean {
  const secret = normalizeTemporaryPassword(candidate)
  return secret !== null && hexEqual(secretHash, hashTemporaryPassword(secret))
}

/** Deletes temporary passwords that can no longer be used (their restricted sessions fail safely). */
export function deleteSpentTemporaryPasswordsStatement(db: Db, now: number) {
  return db.delete(temporaryPasswords).where(lt(temporaryPasswords.expiresAt, now))
}
