import type { Db } from '../../db/client'
import { logJson } from '../logging'
import { countAttemptStatement } from '../records/attempt-counters'
import { HOUR_MS, limitKey, type Limit } from './counter'

/** One log line an hour, across isolates, when mail cannot go for want of budget or quota. */
export async function logMailBudgetExhausted(db: Db, reason: string, now: number) {
  if (await firstThisHour(db, 'mail_budget_exhausted', now)) {
    logJson('warn', 'mail_budget_exhausted', { reason })
  }
}

/** True once per hour for `event` across every isolate: one log line, not one per request. */
export async function firstThisHour(db: Db, event: string, now: number): Promise<boolean> {
  const limit: Limit = { max: 1, windowMs: HOUR_MS, escalates: false }
  const [rows] = await db.batch([
    countAttemptStatement(db, limitKey('log-once', event), limit, now),
  ])
  return rows[0]?.count === 1 && rows[0].windowStartedAt === now
}
