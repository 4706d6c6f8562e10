import { and, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { attemptCounters } from '../db/schema'
import { sha256Hex } from './crypto'
import { logJson } from './logging'
import { RETENTION } from './retention'
import { recordEventStatement } from './security-events'

// Every limit of the app, counted in D1 (durable across isolates). The limits slow guessing down
// without becoming a stranger's tool (PRODUCT.md §4; OWASP Authentication cheat sheet "Account
// lockout"; ASVS 5.0 V6.3.1; NIST SP 800-63B §5.2.2 "Rate limiting"):
// - sign-in failures per (number, device) for a browser with a device cookie, per number and per
//   client network for everyone else; a live temporary password is never limited (sign-in.ts);
// - mails per (subject, client) and per client, answered with a 429 to that client only; per subject
//   per day and a global hourly budget, answered with the usual page (nothing to learn, nothing shown
//   to the family) and logged.
// Every number typed is counted, known or not, so a limit never tells whether a number exists.
export type LimitKind =
  | 'signin-number'
  | 'signin-client'
  | 'signin-device'
  | 'mail-subject-client'
  | 'mail-client'
  | 'mail-subject-day'
  | 'mail-budget'
  | 'log-once'

// `escalates`: each block lasts twice the previous one ("slow down, don't lock"), up to 2^6 windows.
export type Limit = { max: number; windowMs: number; escalates: boolean }
export type LimitState =
  | { limited: false }
  // `firstRefusal`: this post started the block; the ones after it write no event.
  | { limited: true; retryAfterMs: number; firstRefusal: boolean }

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const MAX_STRIKES = 6

export const limitKey = (kind: LimitKind, ...subjects: string[]) =>
  `${kind}:${sha256Hex(subjects.join('\n'))}`

/**
 * Counts one attempt atomically (one UPSERT … RETURNING, for a db.batch) before the work, so
 * concurrent guesses cannot slip past. A post refused during a block only bumps `refused`.
 */
export function countAttemptStatement(db: Db, key: string, limit: Limit, now: number) {
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

type CounterRow = typeof attemptCounters.$inferSelect

function limitState(row: CounterRow | undefined, now: number): LimitState {
  if (!row || row.blockedUntil === null || row.blockedUntil <= now) return { limited: false }
  return { limited: true, retryAfterMs: row.blockedUntil - now, firstRefusal: row.refused === 1 }
}

type Check = { key: string; limit: Limit; detail: string }

/**
 * Counts every check in one round trip, with `alongside` (a read the caller needs anyway) in the same
 * batch; when any is over its limit, records one `limit_reached` event per block (not per post: a
 * flood cannot grow the table) and says how long to wait.
 */
async function countAll<Alongside = never>(
  db: Db,
  checks: [Check, ...Check[]],
  clientKey: string,
  now: number,
  alongside?: BatchItem<'sqlite'> & PromiseLike<Alongside>,
): Promise<{ limited: { retryAfterMs: number } | null; alongside: Alongside }> {
  const [first, ...rest] = checks.map((check) =>
    countAttemptStatement(db, check.key, check.limit, now),
  )
  const results = await db.batch(alongside ? [first!, ...rest, alongside] : [first!, ...rest])
  let retryAfterMs = 0
  const events = []
  for (const [index, check] of checks.entries()) {
    const state = limitState((results[index] as CounterRow[])[0], now)
    if (!state.limited) continue
    retryAfterMs = Math.max(retryAfterMs, state.retryAfterMs)
    if (state.firstRefusal) {
      logJson('warn', 'limit_reached', { limit: check.detail })
      events.push(
        recordEventStatement(db, { type: 'limit_reached', clientKey, detail: check.detail }),
      )
    }
  }
  const [event, ...more] = events
  if (event) await db.batch([event, ...more])
  return {
    limited: retryAfterMs === 0 ? null : { retryAfterMs },
    alongside: results[checks.length] as Alongside,
  }
}

const limitedOnly = async (counted: Promise<{ limited: { retryAfterMs: number } | null }>) =>
  (await counted).limited

/**
 * Bursts of posts per client network, counted in memory at the edge by the Workers Rate Limiting
 * binding before any D1 work (wrangler.toml `[[ratelimits]]`); the durable limits below are in D1.
 */
export async function burstAllowed(binding: RateLimit, clientKey: string): Promise<boolean> {
  return (await binding.limit({ key: clientKey })).success
}

export type SignInClient = { familyNumber: string; clientKey: string; deviceId: string | null }

/**
 * Counts a sign-in attempt, before any hash: per (number, device) for a trusted browser, per number
 * and per client network otherwise. Returns how long to wait when over a limit.
 */
export function signInLimited(db: Db, config: Config, client: SignInClient, now: number) {
  return limitedOnly(countSignInAttempt(db, config, client, now))
}

/** The same count, with a read the sign-in needs (the family) in the same round trip. */
export function countSignInAttempt<Alongside = never>(
  db: Db,
  config: Config,
  client: SignInClient,
  now: number,
  alongside?: BatchItem<'sqlite'> & PromiseLike<Alongside>,
) {
  const { signInFailuresPerNumber, signInFailuresPerClient, signInWindowMs } = config.limits
  const limit = (max: number): Limit => ({ max, windowMs: signInWindowMs, escalates: true })
  if (client.deviceId) {
    const key = limitKey('signin-device', client.familyNumber, client.deviceId)
    return countAll(
      db,
      [{ key, limit: limit(signInFailuresPerNumber), detail: 'sign-in per device' }],
      client.clientKey,
      now,
      alongside,
    )
  }
  return countAll(
    db,
    [
      {
        key: limitKey('signin-number', client.familyNumber),
        limit: limit(signInFailuresPerNumber),
        detail: 'sign-in per number',
      },
      {
        key: limitKey('signin-client', client.clientKey),
        limit: limit(signInFailuresPerClient),
        detail: 'sign-in per client',
      },
    ],
    client.clientKey,
    now,
    alongside,
  )
}

/** What a successful sign-in forgives, as statements for its db.batch, if `fence` holds then. */
export function forgiveSignInStatements(db: Db, client: SignInClient, fence: SQL) {
  if (client.deviceId) {
    const device = limitKey('signin-device', client.familyNumber, client.deviceId)
    return [clearAttemptsStatement(db, device, fence)]
  }
  return [
    clearAttemptsStatement(db, limitKey('signin-number', client.familyNumber), fence),
    releaseAttemptStatement(db, limitKey('signin-client', client.clientKey), fence),
  ]
}

/**
 * The limits a client meets before a mail is even considered: per (subject, client) and per client
 * network, each hourly. `subject` names what the mail is about (`number:…`, `email:…`).
 */
export function mailRequestLimited(
  db: Db,
  config: Config,
  input: { subject: string; clientKey: string },
  now: number,
) {
  const hourly = (max: number): Limit => ({ max, windowMs: HOUR_MS, escalates: true })
  return limitedOnly(
    countAll(
      db,
      [
        {
          key: limitKey('mail-subject-client', input.subject, input.clientKey),
          limit: hourly(config.limits.mailsPerSubjectPerClientPerHour),
          detail: 'mail per subject and client',
        },
        {
          key: limitKey('mail-client', input.clientKey),
          limit: hourly(config.limits.mailsPerClientPerHour),
          detail: 'mail per client',
        },
      ],
      input.clientKey,
      now,
    ),
  )
}

/**
 * The silent cap per subject per day, counted after the answer has left, with the read the caller
 * needs next (`alongside`) in the same round trip. A browser trusted for that number is exempt, so a
 * stranger cannot use up the family's own requests. `allowed`: the mail may go.
 */
export async function countMailSubjectCap<Alongside>(
  db: Db,
  config: Config,
  input: { subject: string; clientKey: string; trusted: boolean },
  now: number,
  alongside: BatchItem<'sqlite'> & PromiseLike<Alongside>,
): Promise<{ allowed: boolean; alongside: Alongside }> {
  if (input.trusted) return { allowed: true, alongside: await alongside }
  const limit: Limit = {
    max: config.limits.mailsPerSubjectPerDay,
    windowMs: DAY_MS,
    escalates: false,
  }
  const check = {
    key: limitKey('mail-subject-day', input.subject),
    limit,
    detail: 'mail per subject per day',
  }
  const counted = await countAll(db, [check], input.clientKey, now, alongside)
  return { allowed: counted.limited === null, alongside: counted.alongside }
}

/**
 * The global hourly budget that protects the commune's provider quota, counted for mails that would
 * really go. When spent, one `mail_budget_exhausted` line an hour tells ops. True when the mail may go.
 */
export async function mailBudgetAllows(
  db: Db,
  config: Config,
  clientKey: string,
  now: number,
): Promise<boolean> {
  const limit: Limit = { max: config.limits.mailBudgetPerHour, windowMs: HOUR_MS, escalates: false }
  const check = { key: limitKey('mail-budget', 'all'), limit, detail: 'mail budget' }
  if ((await countAll(db, [check], clientKey, now)).limited === null) return true
  await logMailBudgetExhausted(db, 'global budget', now)
  return false
}

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

/** "réessayez dans N minutes", never less than one minute. */
export function retryAfterMinutes(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000))
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
