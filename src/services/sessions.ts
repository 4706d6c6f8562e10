import { eq, lt } from 'drizzle-orm'
import type { Db } from '../db/client'
import { families, sessions, type Family, type Session } from '../db/schema'
import { randomHex, sha256Hex } from './crypto'

// Copenhagen Book "Sessions"; OWASP Session Management cheat sheet; ASVS 5.0 V7.
// 256 random bits in the cookie, only their SHA-256 in D1, so a database leak yields no usable session.
export type SessionKind = Session['kind']
export type SessionLimits = { idleMs: number; absoluteMs: number }
export type CurrentSession = { session: Session; family: Family; token: string }

// Writing last_seen_at on every request would cost a D1 write per page: once a minute is precise enough.
const TOUCH_INTERVAL_MS = 60_000

function generateSessionToken(): string {
  return randomHex(32)
}

/** A new session (ASVS 5.0 V7.2.4: a new token at every sign-in), as a statement for a db.batch. */
export function createSessionStatement(
  db: Db,
  input: { familyId: number; kind: SessionKind; temporaryPasswordId?: number | null },
  limits: SessionLimits,
  now: number,
) {
  const token = generateSessionToken()
  const statement = db.insert(sessions).values({
    id: sha256Hex(token),
    familyId: input.familyId,
    kind: input.kind,
    temporaryPasswordId: input.temporaryPasswordId ?? null,
    lastSeenAt: now,
    expiresAt: now + limits.absoluteMs,
  })
  return { token, statement }
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
    .select({ session: sessions, family: families })
    .from(sessions)
    .innerJoin(families, eq(families.id, sessions.familyId))
    .where(eq(sessions.id, id))
    .get()
  if (!row) return null
  const { session } = row
  if (now >= session.expiresAt || now - session.lastSeenAt >= limits.idleMs) {
    await db.delete(sessions).where(eq(sessions.id, id))
    return null
  }
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id))
  }
  return { ...row, token }
}

export async function invalidateSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sha256Hex(token)))
}

/** Ends every session of the family (ASVS 5.0 V7.4.3: after a password change). */
export function invalidateFamilySessions(db: Db, familyId: number) {
  return db.delete(sessions).where(eq(sessions.familyId, familyId))
}

export function deleteExpiredSessions(db: Db, now = Date.now()) {
  return db.delete(sessions).where(lt(sessions.expiresAt, now))
}
