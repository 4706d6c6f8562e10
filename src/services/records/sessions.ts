import { and, eq, exists, gt, lt, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { families, sessions, temporaryPasswords, type Family, type Session } from '../../db/schema'
import { randomHex, sha256Hex } from '../crypto'
import { countLinksOf } from './franceconnect'
import { countPasskeysOf } from './passkeys'

// Copenhagen Book "Sessions"; OWASP Session Management cheat sheet; ASVS 5.0 V7.
// 256 random bits in the cookie, only their SHA-256 in D1, so a database leak yields no usable session.
export type SessionKind = Session['kind']
export type SignInMethod = Session['method']
export type SessionLimits = { idleMs: number; absoluteMs: number }
// `temporaryPasswordHash`: for a restricted session, the hash of the temporary password it was opened
// with (read in the same query), so step 5 can refuse it as the new password without another one.
export type CurrentSession = {
  session: Session
  family: Family
  token: string
  temporaryPasswordHash: string | null
  // Read with the session: most families have none, and then no page needs another query for them.
  passkeyCount: number
  franceConnectCount: number
}

// Writing last_seen_at on every request would cost a D1 write per page: once a minute is precise enough.
const TOUCH_INTERVAL_MS = 60_000

// A restricted session lets whoever holds the browser choose the family's password with no secret: on a
// shared terminal it must not wait for the next person (OWASP Session Management cheat sheet, "Session
// Expiration": shorter idle time-outs for higher-risk sessions; ASVS 5.0 V7.3.1).
export const RESTRICTED_IDLE_MS = 5 * 60_000

/** How long a session of `kind` may stay unused: never longer than the configured idle time-out. */
export function idleLimitMs(kind: SessionKind, limits: SessionLimits): number {
  return kind === 'restricted' ? Math.min(RESTRICTED_IDLE_MS, limits.idleMs) : limits.idleMs
}

function generateSessionToken(): string {
  return randomHex(32)
}

/**
 * A new session (ASVS 5.0 V7.2.4: a new token at every sign-in), as a statement for a db.batch that
 * inserts it only if `opensIf` still holds when the batch runs (the password that was verified is still
 * the family's). `opened` is true, in the statements after it, exactly when it was inserted.
 */
export function createSessionStatement(
  db: Db,
  input: {
    familyId: number
    method: SignInMethod
    temporaryPasswordId?: number | null
    passkeyId?: string | null
    opensIf: SQL
  },
  limits: SessionLimits,
  now: number,
) {
  const token = generateSessionToken()
  const id = sha256Hex(token)
  const statement = insertWhereStatement(
    db,
    sessions,
    {
      id,
      familyId: input.familyId,
      // Only a temporary password's session is restricted (to the new-password step).
      kind: input.method === 'temporary_password' ? 'restricted' : 'full',
      method: input.method,
      temporaryPasswordId: input.temporaryPasswordId ?? null,
      passkeyId: input.passkeyId ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + limits.absoluteMs,
    },
    input.opensIf,
  )
  const opened = exists(
    db
      .select({ one: sql`1` })
      .from(sessions)
      .where(eq(sessions.id, id)),
  )
  return { token, id, statement, opened }
}

/** Reads back whether the session `id` exists: the last statement of a sign-in's batch. */
export function findSessionStatement(db: Db, id: string) {
  return db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, id))
}

/** The live session behind `token`, or null if unknown, idle too long or past its absolute expiry. */
export async function validateSessionToken(
  db: Db,
  token: string,
  limits: SessionLimits,
  now = Date.now(),
): Promise<CurrentSession | null> {
  if (!/^[0-9a-f]{64}$/.test(token)) return null
  const id = sha256Hex(token)
  const row = await db
    .select({
      session: sessions,
      family: families,
      temporaryPassword: temporaryPasswords,
      passkeyCount: countPasskeysOf(sessions.familyId),
      franceConnectCount: countLinksOf(sessions.familyId),
    })
    .from(sessions)
    .innerJoin(families, eq(families.id, sessions.familyId))
    .leftJoin(temporaryPasswords, eq(temporaryPasswords.id, sessions.temporaryPasswordId))
    .where(eq(sessions.id, id))
    .get()
  if (!row) return null
  const { session, temporaryPassword } = row
  // A family an import closed has no session (the import ends them; this holds for one it missed).
  const familyClosed = row.family.closedAt !== null
  // A restricted session dies with its temporary password: expired, replaced (deleted) or used.
  const temporaryPasswordGone =
    session.kind === 'restricted' &&
    (!temporaryPassword || temporaryPassword.usedAt !== null || temporaryPassword.expiresAt <= now)
  if (
    familyClosed ||
    temporaryPasswordGone ||
    now >= session.expiresAt ||
    now - session.lastSeenAt >= idleLimitMs(session.kind, limits)
  ) {
    await db.delete(sessions).where(eq(sessions.id, id))
    return null
  }
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id))
  }
  return {
    session,
    family: row.family,
    token,
    temporaryPasswordHash: temporaryPassword?.secretHash ?? null,
    passkeyCount: row.passkeyCount,
    franceConnectCount: row.franceConnectCount,
  }
}

export async function invalidateSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sha256Hex(token)))
}

/** Ends every session of the family (ASVS 5.0 V7.4.3: after a password change), if `fence` holds. */
export function invalidateFamilySessionsStatement(db: Db, familyId: number, fence: SQL) {
  return db.delete(sessions).where(and(eq(sessions.familyId, familyId), fence))
}

/**
 * What a sign-in ends besides opening its session, if `fence` holds: the browser's previous session
 * (ASVS 5.0 V7.2.4), and for a temporary password the family's restricted sessions of older ones.
 */
export function endReplacedSessionsStatements(
  db: Db,
  input: { previousToken?: string; familyId: number; temporaryPasswordId?: number },
  fence: SQL,
) {
  const statements = []
  if (input.previousToken) {
    const previous = sha256Hex(input.previousToken)
    statements.push(db.delete(sessions).where(and(eq(sessions.id, previous), fence)))
  }
  if (input.temporaryPasswordId !== undefined) {
    const olderRestricted = and(
      eq(sessions.familyId, input.familyId),
      eq(sessions.kind, 'restricted'),
      ne(sessions.temporaryPasswordId, input.temporaryPasswordId),
      fence,
    )
    statements.push(db.delete(sessions).where(olderRestricted))
  }
  return statements
}

/**
 * Sessions past their absolute expiry or idle too long: they could never be used again. Two
 * statements, each read through its own index (one OR of the three would read the whole table).
 */
export function deleteExpiredSessionsStatements(db: Db, limits: SessionLimits, now = Date.now()) {
  const shortestIdle = Math.min(idleLimitMs('restricted', limits), limits.idleMs)
  return [
    db.delete(sessions).where(lt(sessions.expiresAt, now)),
    db
      .delete(sessions)
      .where(
        and(
          lt(sessions.lastSeenAt, now - shortestIdle),
          or(
            lt(sessions.lastSeenAt, now - limits.idleMs),
            and(
              eq(sessions.kind, 'restricted'),
              lt(sessions.lastSeenAt, now - idleLimitMs('restricted', limits)),
            ),
          ),
        ),
      ),
  ] as const
}

/** The family's sessions still within their absolute expiry, counted (the agents' family page). */
export function countLiveSessionsStatement(db: Db, familyId: number, now: number) {
  return db
    .select({ count: sql<number>`count(*)` })
    .from(sessions)
    .where(and(eq(sessions.familyId, familyId), gt(sessions.expiresAt, now)))
}

/** Ends the sessions a passkey opened (it was removed), if `fence` holds. */
export function endPasskeySessionsStatement(
  db: Db,
  input: { familyId: number; passkeyId: string },
  fence: SQL,
) {
  return db
    .delete(sessions)
    .where(
      and(eq(sessions.familyId, input.familyId), eq(sessions.passkeyId, input.passkeyId), fence),
    )
}

/** Ends the family's sessions opened one way (FranceConnect, when an adult is unlinked), if `fence`. */
export function endMethodSessionsStatement(
  db: Db,
  input: { familyId: number; method: SignInMethod },
  fence: SQL,
) {
  return db
    .delete(sessions)
    .where(and(eq(sessions.familyId, input.familyId), eq(sessions.method, input.method), fence))
}

/** Ends every session of the family (an agent's action), returning which. */
export function endFamilySessionsStatement(db: Db, familyId: number) {
  return db.delete(sessions).where(eq(sessions.familyId, familyId)).returning({ id: sessions.id })
}
