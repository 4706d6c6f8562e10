import { and, asc, eq, exists, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import {
  families,
  franceConnectLinks,
  franceConnectPending,
  franceConnectRequests,
  type FranceConnectLink,
  type FranceConnectPending,
} from '../../db/schema'
import { sha256Hex } from '../crypto'

// The FranceConnect tables (docs/franceconnect.md): links, sign-ins on their way, identities waiting
// to be linked. Secrets (the state, the pending cookie, the mailed code) only as SHA-256.
export type { FranceConnectLink, FranceConnectPending }

// Two adults per family.
export const LINKS_PER_FAMILY = 2
export const REQUEST_TTL_MS = 10 * 60_000
export const PENDING_TTL_MS = 15 * 60_000
export const CODE_TTL_MS = 15 * 60_000
export const CODE_FAILURES_MAX = 5

/** A sign-in sent to FranceConnect: its state's hash and the nonce, valid 10 minutes. */
export function createRequestStatement(
  db: Db,
  input: { state: string; nonce: string },
  now: number,
) {
  return db.insert(franceConnectRequests).values({
    id: sha256Hex(input.state),
    nonce: input.nonce,
    expiresAt: now + REQUEST_TTL_MS,
  })
}

/** Spends the sign-in of `state` and returns its nonce, if it is unexpired and unused. */
export function takeRequestStatement(db: Db, state: string, now: number) {
  return db
    .delete(franceConnectRequests)
    .where(
      and(eq(franceConnectRequests.id, sha256Hex(state)), gt(franceConnectRequests.expiresAt, now)),
    )
    .returning({ nonce: franceConnectRequests.nonce })
}

/** The link of a FranceConnect identity, with its family. */
export function findLinkStatement(db: Db, sub: string) {
  return db
    .select({ link: franceConnectLinks, family: families })
    .from(franceConnectLinks)
    .innerJoin(families, eq(families.id, franceConnectLinks.familyId))
    .where(eq(franceConnectLinks.sub, sub))
    .limit(1)
}

/** In a condition: the identity is still linked to the family. */
export const stillLinked = (db: Db, sub: string, familyId: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(franceConnectLinks)
      .where(and(eq(franceConnectLinks.sub, sub), eq(franceConnectLinks.familyId, familyId))),
  )

/** A family's links counted, as a column of another read (the session's: one round trip). */
export const countLinksOf = (familyId: SQLiteColumn) =>
  sql<number>`(select count(*) from ${franceConnectLinks} where ${franceConnectLinks.familyId} = ${familyId})`.mapWith(
    Number,
  )

/** The family's linked adults, oldest first. */
export function listLinksStatement(db: Db, familyId: number) {
  return db
    .select()
    .from(franceConnectLinks)
    .where(eq(franceConnectLinks.familyId, familyId))
    .orderBy(asc(franceConnectLinks.linkedAt))
}

/**
 * Links the identity to the family if `condition` holds, the family has fewer than 2 links and the
 * identity none: the decision of the linking's batch.
 */
export function linkStatement(
  db: Db,
  input: { familyId: number; sub: string; givenName: string; familyName: string; now: number },
  condition: SQL,
) {
  const count = db
    .select({ count: sql<number>`count(*)` })
    .from(franceConnectLinks)
    .where(eq(franceConnectLinks.familyId, input.familyId))
  const taken = exists(
    db
      .select({ one: sql`1` })
      .from(franceConnectLinks)
      .where(eq(franceConnectLinks.sub, input.sub)),
  )
  return insertWhereStatement(
    db,
    franceConnectLinks,
    {
      familyId: input.familyId,
      sub: input.sub,
      givenName: input.givenName,
      familyName: input.familyName,
      linkedAt: input.now,
    },
    and(condition, sql`(${count}) < ${LINKS_PER_FAMILY}`, sql`not ${taken}`),
  )
}

/** In the statements after `linkStatement`: true once it linked `sub` to the family at `now`. */
export const linkedAt = (db: Db, input: { sub: string; familyId: number; now: number }) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(franceConnectLinks)
      .where(
        and(
          eq(franceConnectLinks.sub, input.sub),
          eq(franceConnectLinks.familyId, input.familyId),
          eq(franceConnectLinks.linkedAt, input.now),
        ),
      ),
  )

/** In the statements after `unlinkStatement`: the link is gone. */
export const linkGone = (db: Db, linkId: number) =>
  sql`not ${exists(
    db
      .select({ one: sql`1` })
      .from(franceConnectLinks)
      .where(eq(franceConnectLinks.id, linkId)),
  )}`

/** Removes one of the family's links (never another family's), returning it. */
export function unlinkStatement(db: Db, familyId: number, linkId: number) {
  return db
    .delete(franceConnectLinks)
    .where(and(eq(franceConnectLinks.familyId, familyId), eq(franceConnectLinks.id, linkId)))
    .returning()
}

/** An identity waiting to be linked, behind the cookie `token`. */
export function createPendingStatement(
  db: Db,
  input: { token: string; sub: string; givenName: string; familyName: string },
  now: number,
) {
  return db.insert(franceConnectPending).values({
    id: sha256Hex(input.token),
    sub: input.sub,
    givenName: input.givenName,
    familyName: input.familyName,
    expiresAt: now + PENDING_TTL_MS,
  })
}

/** The identity waiting behind `token`, if unexpired. */
export function findPending(db: Db, token: string, now: number) {
  return db
    .select()
    .from(franceConnectPending)
    .where(
      and(eq(franceConnectPending.id, sha256Hex(token)), gt(franceConnectPending.expiresAt, now)),
    )
    .get()
}

/** In a condition: the pending identity behind `token` is still there (not linked meanwhile). */
export const pendingLive = (db: Db, token: string, now: number) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(franceConnectPending)
      .where(
        and(eq(franceConnectPending.id, sha256Hex(token)), gt(franceConnectPending.expiresAt, now)),
      ),
  )

export function deletePendingStatement(db: Db, token: string, fence?: SQL) {
  return db
    .delete(franceConnectPending)
    .where(and(eq(franceConnectPending.id, sha256Hex(token)), fence))
}

/**
 * A code for the family typed in (its hash and end replace any earlier one, tries back to 0); for a
 * number that has no family to mail, a code nobody receives, so that the page answers alike.
 */
export function setCodeStatement(
  db: Db,
  input: { token: string; familyId: number | null; code: string },
  now: number,
) {
  return db
    .update(franceConnectPending)
    .set({
      familyId: input.familyId,
      codeHash: sha256Hex(input.code),
      codeExpiresAt: now + CODE_TTL_MS,
      codeFailures: 0,
    })
    .where(
      and(
        eq(franceConnectPending.id, sha256Hex(input.token)),
        gt(franceConnectPending.expiresAt, now),
      ),
    )
}

/**
 * Takes one of the code's 5 tries, before the code is compared: parallel guesses cannot share a try.
 * Returns the family the code was asked for (null for a number with none), or nothing once the code
 * is spent, expired or out of tries.
 */
export function takeCodeTryStatement(db: Db, token: string, now: number) {
  return db
    .update(franceConnectPending)
    .set({ codeFailures: sql`${franceConnectPending.codeFailures} + 1` })
    .where(
      and(
        eq(franceConnectPending.id, sha256Hex(token)),
        gt(franceConnectPending.codeExpiresAt, now),
        lt(franceConnectPending.codeFailures, CODE_FAILURES_MAX),
      ),
    )
    .returning({ familyId: franceConnectPending.familyId })
}

const codeIs = (input: { token: string; code: string; familyId: number }, now: number) =>
  and(
    eq(franceConnectPending.id, sha256Hex(input.token)),
    eq(franceConnectPending.codeHash, sha256Hex(input.code)),
    eq(franceConnectPending.familyId, input.familyId),
    gt(franceConnectPending.codeExpiresAt, now),
  )

/** Whether `code` is the live code asked for `familyId` (a try already taken). */
export async function codeMatchesNow(
  db: Db,
  input: { token: string; code: string; familyId: number },
  now: number,
) {
  const row = await db
    .select({ id: franceConnectPending.id })
    .from(franceConnectPending)
    .where(codeIs(input, now))
    .get()
  return row !== undefined
}

/** In a condition: the same, when the link's batch runs. */
export const codeMatches = (
  db: Db,
  input: { token: string; code: string; familyId: number },
  now: number,
) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(franceConnectPending)
      .where(codeIs(input, now)),
  )

/** What the cron deletes: expired sign-ins and pending identities. */
export function deleteExpiredFranceConnectStatements(db: Db, now: number) {
  return [
    db.delete(franceConnectRequests).where(lt(franceConnectRequests.expiresAt, now)),
    db.delete(franceConnectPending).where(lt(franceConnectPending.expiresAt, now)),
  ] as const
}
