import { eq, lt, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { attemptCounters } from '../db/schema'
import { sha256Hex } from './crypto'

// ASVS 5.0 V6.3.1, OWASP Authentication cheat sheet "Protect against automated attacks": attempts are
// counted in D1 (durable across isolates), per family number and per client address. Every number
// typed is counted, known or not, so a limit never tells whether a number exists.
export type LimitKind = 'signin-number' | 'signin-client' | 'mail-number'
export type Limit = { max: number; windowMs: number }
export type LimitState = { limited: false } | { limited: true; retryAfterMs: number }

export const limitKey = (kind: LimitKind, subject: string) => `${kind}:${sha256Hex(subject)}`

/**
 * Counts one attempt atomically (one UPSERT … RETURNING) and says whether it is over the limit.
 * Counting before the work, rather than after a failure, keeps concurrent guesses from slipping past.
 */
export async function countAttempt(
  db: Db,
  key: string,
  limit: Limit,
  now: number,
): Promise<LimitState> {
  const windowStart = now - limit.windowMs
  const [row] = await db
    .insert(attemptCounters)
    .values({ key, count: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: attemptCounters.key,
      set: {
        count: sql`case when ${attemptCounters.windowStartedAt} <= ${windowStart} then 1 else ${attemptCounters.count} + 1 end`,
        windowStartedAt: sql`case when ${attemptCounters.windowStartedAt} <= ${windowStart} then ${now} else ${attemptCounters.windowStartedAt} end`,
      },
    })
    .returning()
  if (!row || row.count <= limit.max) return { limited: false }
  return { limited: true, retryAfterMs: row.windowStartedAt + limit.windowMs - now }
}

/** Gives back one counted attempt (a sign-in that succeeded was not a failure). */
export function releaseAttempt(db: Db, key: string) {
  return db
    .update(attemptCounters)
    .set({ count: sql`max(${attemptCounters.count} - 1, 0)` })
    .where(eq(attemptCounters.key, key))
}

/** Forgets a key's failures (after a successful sign-in or a password change). */
export function clearAttempts(db: Db, key: string) {
  return db.delete(attemptCounters).where(eq(attemptCounters.key, key))
}

/** "réessayez dans N minutes", never less than one minute. */
export function retryAfterMinutes(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000))
}

/** Forgets counters whose window ended long ago (every typed number has one). */
export function deleteStaleAttempts(db: Db, now: number, olderThanMs = 24 * 3_600_000) {
  return db.delete(attemptCounters).where(lt(attemptCounters.windowStartedAt, now - olderThanMs))
}
