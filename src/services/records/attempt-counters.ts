import { and, eq, gt, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { attemptCounters } from '../../db/schema'
import { RETENTION } from '../retention'

// The attempt counters every limit keeps (services/limits/ names them and owns their keys).
export type CounterRow = typeof attemptCounters.$inferSelect
// `escalates`: each block lasts twice the previous one ("slow down, don't lock"), up to 2^6 windows.
export type CounterLimit = { max: number; windowMs: number; escalates: boolean }

const MAX_STRIKES = 6

/**
 * Counts one attempt atomically (one UPSERT … RETURNING, for a db.batch) before the work, so
 * concurrent guesses cannot slip past. A post refused during a block only bumps `refused`.
 */
export function countAttemptStatement(db: Db, key: string, limit: CounterLimit, now: number) {
  const c = attemptCounters
  const blocked = sql`coalesce(${c.blockedUntil}, 0) > ${now}`
  const expired = sql`${c.windowStartedAt} <= ${now - limit.windowMs}`
  const trips = sql`(not ${blocked} and not ${expired} and ${c.count} + 1 > ${limit.max})`
  // The first block ends with its window; each next one lasts twice the last, from now.
  const blockEnd = limit.escalates
    ? sql`case when ${c.strikes} = 0 then ${c.windowStartedAt} + ${limit.windowMs}
        else ${now} + ${limit.windowMs} * (1 << min(${c.strikes}, ${MAX_STRIKES})) end`
    : sql`${c.windowStartedAt} + ${limit.windowMs}`
  const forgiven = sql`coalesce(${c.blockedUntil}, 0) <= ${now - RETENTION.attemptCountersMs}`
  return db
    .insert(c)
    .values({ key, count: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: c.key,
      set: {
        count: sql`case when ${blocked} then ${c.count} when ${expired} then 1 when ${trips} then 0 else ${c.count} + 1 end`,
        windowStartedAt: sql`case when ${blocked} then ${c.windowStartedAt} when ${expired} or ${trips} then ${now} else ${c.windowStartedAt} end`,
        blockedUntil: sql`case when ${trips} then ${blockEnd} else ${c.blockedUntil} end`,
        strikes: sql`case when ${trips} then ${c.strikes} + 1 when ${expired} and ${forgiven} then 0 else ${c.strikes} end`,
        refused: sql`case when ${blocked} then ${c.refused} + 1 when ${trips} then 1 else 0 end`,
      },
    })
    .returning()
}

/** Gives back one counted attempt (a sign-in that succeeded was not a failure). */
export function releaseAttemptStatement(db: Db, key: string, fence?: SQL) {
  return db
    .update(attemptCounters)
    .set({ count: sql`max(${attemptCounters.count} - 1, 0)` })
    .where(and(eq(attemptCounters.key, key), fence))
}

/** Forgets a key's failures and blocks (after a successful sign-in or a password change). */
export function clearAttemptsStatement(db: Db, key: string, fence?: SQL) {
  return db.delete(attemptCounters).where(and(eq(attemptCounters.key, key), fence))
}

/** Forgets counters whose window ended a day ago and that block nothing any more. */
export function deleteStaleAttemptsStatement(db: Db, now: number) {
  const c = attemptCounters
  return db
    .delete(c)
    .where(
      and(
        lt(c.windowStartedAt, now - RETENTION.attemptCountersMs),
        or(isNull(c.blockedUntil), lt(c.blockedUntil, now)),
      ),
    )
}

/** Deletes the counters `keys` (lifting their limits), as a statement for a db.batch. */
export function deleteCountersStatement(db: Db, keys: string[]) {
  return db.delete(attemptCounters).where(inArray(attemptCounters.key, keys))
}

/** The counters among `keys` that block now. */
export function findBlockingCounters(db: Db, keys: string[], now: number) {
  return db
    .select()
    .from(attemptCounters)
    .where(and(inArray(attemptCounters.key, keys), gt(attemptCounters.blockedUntil, now)))
}
