import type { Config } from '../config'
import type { Db } from '../db/client'
import { countAttempt, limitKey } from './rate-limits'
import { recordEventStatement } from './security-events'

/**
 * Counts a sign-in attempt per family number and per client address; returns how long to wait when
 * either is over its limit (then no hash is computed). Known and unknown numbers count alike.
 */
export async function signInLimited(
  db: Db,
  config: Config,
  familyNumber: string,
  clientHash: string,
  now: number,
): Promise<{ retryAfterMs: number } | null> {
  const windowMs = config.limits.signInWindowMs
  const [byNumber, byClient] = await Promise.all([
    countAttempt(
      db,
      limitKey('signin-number', familyNumber),
      { max: config.limits.signInFailuresPerNumber, windowMs },
      now,
    ),
    countAttempt(
      db,
      limitKey('signin-client', clientHash),
      { max: config.limits.signInFailuresPerClient, windowMs },
      now,
    ),
  ])
  const waits = [byNumber, byClient].flatMap((state) => (state.limited ? [state.retryAfterMs] : []))
  if (waits.length === 0) return null
  await recordEventStatement(db, { type: 'limit_reached', clientHash, detail: 'sign-in' })
  return { retryAfterMs: Math.max(...waits) }
}
