import { and, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Settings as Config } from './settings'
import type { Db } from '../db/client'
import { attemptCounters } from '../db/schema'
import { sha256Hex } from './crypto'
import { logJson } from './logging'
import { RETENTION } from './retention'
import type { ClientNetwork } from './client-key'
import { recordEventStatement } from './records/security-events'

// Every limit of the app, counted in D1 (durable across isolates). The limits slow guessing down
// without becoming a stranger's tool (PRODUCT.md §4; OWASP Authentication cheat sheet "Account
// lockout"; ASVS 5.0 V6.3.1; NIST SP 800-63B §5.2.2 "Rate limiting"):
// - sign-in failures per (number, device) and per number across its devices for a browser with a
//   device cookie, per number and per client network for everyone else; a live temporary password is
//   never limited and lowers no count (sign-in.ts);
// - mails per (subject, client network) and per client network, answered with a 429 to that client
//   only; one mail per address per spacing (« Numéro oublié »); a global hourly budget that delays
//   mail in the outbox, never drops it (mail/outbox.ts).
// A client network is counted at each of its prefixes (client-key.ts: IPv6 /64, /56, /48, caps ×1,
// ×4, ×16). Every number typed is counted, known or not, so a limit never tells whether it exists.
export type LimitKind =
  | 'signin-number'
  | 'signin-client'
  | 'signin-device'
  | 'signin-devices'
  | 'mail-subject-client'
  | 'mail-client'
  | 'mail-spacing'
  | 'mail-budget'
  | 'agent-mail'
  | 'log-once'

// `escalates`: each block lasts twice the previous one ("slow down, don't lock"), up to 2^6 windows.
export type Limit = { max: number; windowMs: number; escalates: boolean }
export type LimitState =
  | { limited: false }
  // `firstRefusal`: this post started the block; the ones after it write no event.
  | { limited: true; retryAfterMs: number; firstRefusal: boolean }

const HOUR_MS = 3_600_000
const MAX_STRIKES = 6
// Failures through all of a family's device cookies together: a higher cap than one unknown client's,
// so a stolen cookie (or ten) cannot multiply the guesses at a number.
const DEVICES_TOTAL_SCALE = 4

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

// `network`: a per-client check, keyed on that client network (its event names the network, so an
// agent can lift it; a solved challenge skips it).
type Check = { key: string; limit: Limit; detail: string; network?: string }

/**
 * What a limited attempt is told: how long to wait, and whether only per-client limits stopped it
 * (a shared network): then a challenge can be offered instead of the wait.
 */
export type Limited = { retryAfterMs: number; networkOnly: boolean }

/**
 * Counts every check in one round trip, with `alongside` (a read the caller needs anyway) in the same
 * batch; when any is over its limit, records one `limit_reached` event per block (not per post: a
 * flood cannot grow the table) and says how long to wait.
 */
async function countAll<Alongside = never>(
  db: Db,
  checks: Check[],
  clientKey: string,
  now: number,
  alongside?: BatchItem<'sqlite'> & PromiseLike<Alongside>,
): Promise<{ limited: Limited | null; alongside: Alongside }> {
  const statements = checks.map((check) => countAttemptStatement(db, check.key, check.limit, now))
  const [first, ...rest] = alongside ? [...statements, alongside] : statements
  if (!first) return { limited: null, alongside: undefined as Alongside }
  const results = await db.batch([first, ...rest])
  let retryAfterMs = 0
  let networkOnly = true
  const events = []
  for (const [index, check] of checks.entries()) {
    const state = limitState((results[index] as CounterRow[])[0], now)
    if (!state.limited) continue
    retryAfterMs = Math.max(retryAfterMs, state.retryAfterMs)
    networkOnly &&= check.network !== undefined
    if (state.firstRefusal) {
      logJson('warn', 'limit_reached', { limit: check.detail })
      const event = { type: 'limit_reached' as const, detail: check.detail }
      events.push(recordEventStatement(db, { ...event, clientKey: check.network ?? clientKey }))
    }
  }
  const [event, ...more] = events
  if (event) await db.batch([event, ...more])
  return {
    limited: retryAfterMs === 0 ? null : { retryAfterMs, networkOnly },
    alongside: results[checks.length] as Alongside,
  }
}

const limitedOnly = async (counted: Promise<{ limited: Limited | null }>) => (await counted).limited

/** The bindings that count bursts: the client's own network, its /56, its /48 (wrangler.toml). */
export type BurstLimiters = readonly [RateLimit, RateLimit | undefined, RateLimit | undefined]

/**
 * Bursts of posts per client network, counted in memory at the edge by the Workers Rate Limiting
 * binding before any D1 work: one binding per prefix (×1, ×4, ×16), since a binding's limit is
 * fixed. The durable limits below are in D1.
 */
export async function burstAllowed(
  limiters: BurstLimiters,
  networks: ClientNetwork[],
): Promise<boolean> {
  const outcomes = await Promise.all(
    networks.map(async (network) => {
      const limiter = limiters[network.prefix]
      return limiter ? (await limiter.limit({ key: network.key })).success : true
    }),
  )
  return outcomes.every(Boolean)
}

export type SignInClient = {
  familyNumber: string
  clientKey: string
  networks: ClientNetwork[]
  deviceId: string | null
  // A solved challenge: the per-client limits are skipped, the per-number ones still count.
  challengeSolved?: boolean
}

/** One check per network the client belongs to, each with its cap scaled (client-key.ts). */
function perNetwork(
  kind: LimitKind,
  networks: ClientNetwork[],
  limit: Limit,
  detail: string,
  ...subjects: string[]
): Check[] {
  // A per-client block does not escalate: many families may share the network, and a challenge or
  // the window's end lets them through.
  return networks.map((network) => ({
    key: limitKey(kind, ...subjects, network.key),
    limit: { ...limit, max: limit.max * network.scale, escalates: false },
    detail: network.scale === 1 ? detail : `${detail} (network x${network.scale})`,
    network: network.key,
  }))
}

function signInChecks(config: Config, client: SignInClient): Check[] {
  const { signInFailuresPerNumber, signInFailuresPerClient, signInWindowMs } = config.limits
  const limit = (max: number): Limit => ({ max, windowMs: signInWindowMs, escalates: true })
  if (client.deviceId) {
    return [
      {
        key: limitKey('signin-device', client.familyNumber, client.deviceId),
        limit: limit(signInFailuresPerNumber),
        detail: 'sign-in per device',
      },
      {
        key: limitKey('signin-devices', client.familyNumber),
        limit: limit(signInFailuresPerNumber * DEVICES_TOTAL_SCALE),
        detail: 'sign-in per number across devices',
      },
    ]
  }
  return [
    {
      key: limitKey('signin-number', client.familyNumber),
      limit: limit(signInFailuresPerNumber),
      detail: 'sign-in per number',
    },
    ...perNetwork(
      'signin-client',
      client.challengeSolved ? [] : client.networks,
      limit(signInFailuresPerClient),
      'sign-in per client',
    ),
  ]
}

/**
 * Counts a sign-in attempt, before any hash: per (number, device) and per number across devices for
 * a trusted browser, per number and per client network otherwise. Returns how long to wait when over
 * a limit.
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
  return countAll(db, signInChecks(config, client), client.clientKey, now, alongside)
}

/**
 * What a successful password sign-in forgives, as statements for its db.batch, if `fence` holds then:
 * the failures of its own trusted device, or else the one attempt it counted on the number and on each
 * of its networks. Only what this attempt counted: a number's other failures (and its block) are not
 * the family's to end, or a stranger would learn when the family signed in.
 */
export function forgiveSignInStatements(db: Db, client: SignInClient, fence: SQL) {
  if (client.deviceId) {
    return [
      clearAttemptsStatement(
        db,
        limitKey('signin-device', client.familyNumber, client.deviceId),
        fence,
      ),
      releaseAttemptStatement(db, limitKey('signin-devices', client.familyNumber), fence),
    ]
  }
  return [
    releaseAttemptStatement(db, limitKey('signin-number', client.familyNumber), fence),
    ...(client.challengeSolved ? [] : client.networks).map((network) =>
      releaseAttemptStatement(db, limitKey('signin-client', network.key), fence),
    ),
  ]
}

/** What a mail is about: a family number, or an e-mail address (already normalised). */
export type MailSubject = { familyNumber: string } | { email: string }
const subjectOf = (subject: MailSubject) =>
  'familyNumber' in subject ? `number:${subject.familyNumber}` : `email:${subject.email}`

/**
 * The limits a client meets before a mail is even considered: per (subject, client network) and per
 * client network, each hourly.
 */
export function mailRequestLimited(
  db: Db,
  config: Config,
  input: {
    subject: MailSubject
    clientKey: string
    networks: ClientNetwork[]
    challengeSolved?: boolean
  },
  now: number,
) {
  const hourly = (max: number): Limit => ({ max, windowMs: HOUR_MS, escalates: true })
  const { mailsPerSubjectPerClientPerHour, mailsPerClientPerHour } = config.limits
  const networks = input.challengeSolved ? [] : input.networks
  const checks = [
    ...perNetwork(
      'mail-subject-client',
      networks,
      hourly(mailsPerSubjectPerClientPerHour),
      'mail per subject and client',
      subjectOf(input.subject),
    ),
    ...perNetwork('mail-client', networks, hourly(mailsPerClientPerHour), 'mail per client'),
  ]
  return limitedOnly(countAll(db, checks, input.clientKey, now))
}

/**
 * One mail per subject per spacing, counted after the answer has left, with the read the caller needs
 * next (`alongside`) in the same round trip. Inside the spacing the last mail, still in the mailbox,
 * is enough; after it a request always goes, whoever asked before: a stranger cannot use up the
 * family's requests (a temporary password's own spacing is in temporary-passwords.ts). `allowed`: the
 * mail may go.
 */
export async function countMailSpacing<Alongside>(
  db: Db,
  config: Config,
  input: { subject: MailSubject; clientKey: string },
  now: number,
  alongside: BatchItem<'sqlite'> & PromiseLike<Alongside>,
): Promise<{ allowed: boolean; alongside: Alongside }> {
  const check = {
    key: limitKey('mail-spacing', subjectOf(input.subject)),
    limit: { max: 1, windowMs: config.limits.temporaryPasswordSpacingMs, escalates: false },
    detail: 'mail spacing',
  }
  const counted = await countAll(db, [check], input.clientKey, now, alongside)
  return { allowed: counted.limited === null, alongside: counted.alongside }
}

// An agent's clicks mail the family too: a few an hour is all a phone call needs.
const AGENT_MAILS_PER_FAMILY_PER_HOUR = 3

/** Counts an agent's temporary-password mail to a family: 3 an hour per family, then wait. */
export function agentMailLimited(db: Db, familyNumber: string, agentKey: string, now: number) {
  const check = {
    key: limitKey('agent-mail', familyNumber),
    limit: { max: AGENT_MAILS_PER_FAMILY_PER_HOUR, windowMs: HOUR_MS, escalates: false },
    detail: 'agent mails per family',
  }
  return limitedOnly(countAll(db, [check], agentKey, now))
}

export type MailBudget = { allowed: true } | { allowed: false; retryAfterMs: number }

/**
 * The global hourly budget that protects the commune's provider quota, taken by each mail of the
 * public forms right before it is sent. When spent, the mail waits for the next hour in the outbox
 * (never dropped) and one `mail_budget_exhausted` line an hour tells ops.
 */
export async function takeMailBudget(db: Db, perHour: number, now: number): Promise<MailBudget> {
  const limit: Limit = { max: perHour, windowMs: HOUR_MS, escalates: false }
  const [rows] = await db.batch([
    countAttemptStatement(db, limitKey('mail-budget', 'all'), limit, now),
  ])
  const state = limitState(rows[0], now)
  if (!state.limited) return { allowed: true }
  await logMailBudgetExhausted(db, 'global budget', now)
  return { allowed: false, retryAfterMs: state.retryAfterMs }
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
