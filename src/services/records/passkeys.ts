import { and, desc, eq, exists, lt, not, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { families, passkeys, type Passkey } from '../../db/schema'

// The passkeys table (docs/passkeys.md): public keys only; a family holds at most 10.
export type { Passkey }
export const PASSKEYS_PER_FAMILY = 10

/** What the family space and the console show of a passkey (never its key). */
export type PasskeySummary = Pick<Passkey, 'id' | 'name' | 'createdAt' | 'lastUsedAt'>

const summary = {
  id: passkeys.id,
  name: passkeys.name,
  createdAt: passkeys.createdAt,
  lastUsedAt: passkeys.lastUsedAt,
}

/** A family's passkeys counted, as a column of another read (the session's: one round trip). */
export const countPasskeysOf = (familyId: SQLiteColumn) =>
  sql<number>`(select count(*) from ${passkeys} where ${passkeys.familyId} = ${familyId})`.mapWith(
    Number,
  )

/** The family's passkeys, newest first. */
export function listPasskeysStatement(db: Db, familyId: number) {
  return db
    .select(summary)
    .from(passkeys)
    .where(eq(passkeys.familyId, familyId))
    .orderBy(desc(passkeys.createdAt))
}

/** A passkey by its credential id, with the family it opens. */
export function findPasskeyStatement(db: Db, credentialId: string) {
  return db
    .select({ passkey: passkeys, family: families })
    .from(passkeys)
    .innerJoin(families, eq(families.id, passkeys.familyId))
    .where(eq(passkeys.id, credentialId))
    .limit(1)
}

/**
 * In a sign-in's condition: the passkey is still there and `counter` moves it forward (WebAuthn L3
 * §7.2 step 22: a counter that does not grow means a cloned authenticator; 0 and 0 is a synced one).
 */
export const passkeyAccepts = (db: Db, credentialId: string, counter: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(passkeys)
      .where(
        and(
          eq(passkeys.id, credentialId),
          counter === 0 ? eq(passkeys.signCount, 0) : lt(passkeys.signCount, counter),
        ),
      ),
  )

/** Records a sign-in with the passkey (its counter and the date shown to the family), if `fence`. */
export function recordPasskeyUseStatement(
  db: Db,
  input: { credentialId: string; counter: number; now: number },
  fence: SQL,
) {
  return db
    .update(passkeys)
    .set({ signCount: input.counter, lastUsedAt: input.now })
    .where(and(eq(passkeys.id, input.credentialId), fence))
}

/**
 * Adds a passkey if `condition` holds and the family has fewer than 10: the decision of the batch that
 * registers it. A credential id already known is refused by the primary key (the batch fails).
 */
export function addPasskeyStatement(
  db: Db,
  passkey: Omit<Passkey, 'signCount' | 'lastUsedAt' | 'createdAt'> & {
    signCount: number
    createdAt: number
  },
  condition: SQL,
) {
  const count = db
    .select({ count: sql<number>`count(*)` })
    .from(passkeys)
    .where(eq(passkeys.familyId, passkey.familyId))
  return insertWhereStatement(
    db,
    passkeys,
    passkey,
    and(condition, sql`(${count}) < ${PASSKEYS_PER_FAMILY}`),
  )
}

/** The credential is not one of this site's passkeys already (in a condition). */
export const passkeyUnknown = (db: Db, credentialId: string) =>
  not(passkeyWhere(db, eq(passkeys.id, credentialId)))

/** In the statements after `addPasskeyStatement`: true once it stored `credentialId` at `now`. */
export const passkeyAddedAt = (db: Db, credentialId: string, now: number) =>
  passkeyWhere(db, and(eq(passkeys.id, credentialId), eq(passkeys.createdAt, now))!)

const passkeyWhere = (db: Db, condition: SQL) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(passkeys)
      .where(condition),
  )

/** Deletes one of the family's passkeys (never another family's), returning its name. */
export function deletePasskeyStatement(db: Db, familyId: number, credentialId: string) {
  return db
    .delete(passkeys)
    .where(and(eq(passkeys.familyId, familyId), eq(passkeys.id, credentialId)))
    .returning({ name: passkeys.name })
}

/** Deletes all the family's passkeys (a password change that asks for it), if `fence` holds. */
export function deleteFamilyPasskeysStatement(db: Db, familyId: number, fence?: SQL) {
  return db
    .delete(passkeys)
    .where(and(eq(passkeys.familyId, familyId), fence))
    .returning({ name: passkeys.name })
}
