import { and, eq, exists, gt, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { families, temporaryPasswords } from '../db/schema'
import { hexEqual, randomHex, sha256Hex } from './crypto'

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

/** Statements for a db.batch: a newer request voids every older temporary password of the family. */
export function issueTemporaryPasswordStatements(
  db: Db,
  input: { familyId: number; secret: string; expiresAt: number },
) {
  return [
    db.delete(temporaryPasswords).where(eq(temporaryPasswords.familyId, input.familyId)),
    db.insert(temporaryPasswords).values({
      familyId: input.familyId,
      secretHash: hashTemporaryPassword(input.secret),
      expiresAt: input.expiresAt,
    }),
  ] as const
}

// Live: not used yet and not expired. The one rule the sign-in's lookup and the batches' fences share.
const isLive = (now: number) =>
  and(isNull(temporaryPasswords.usedAt), gt(temporaryPasswords.expiresAt, now))

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

/** Marks it used, if `fence` holds, as a statement for the password change's batch. */
export function consumeTemporaryPasswordStatement(db: Db, id: number, now: number, fence: SQL) {
  return db
    .update(temporaryPasswords)
    .set({ usedAt: now })
    .where(and(eq(temporaryPasswords.id, id), isNull(temporaryPasswords.usedAt), fence))
}

/** Voids every temporary password of the family, if `fence` holds (a change made by choice). */
export function voidTemporaryPasswordsStatement(db: Db, familyId: number, fence: SQL) {
  return db.delete(temporaryPasswords).where(and(eq(temporaryPasswords.familyId, familyId), fence))
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
