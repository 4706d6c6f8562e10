import { and, asc, desc, eq, gt, inArray, isNotNull, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { outbox, type OutboxMail } from '../../db/schema'
import type { MailContent } from './templates'
import { logMailBudgetExhausted, takeMailBudget } from '../limits'
import { RETENTION } from '../retention'
import { logJson, safeErrorReason } from '../logging'
import type { Mailer } from './mailer'

// PRODUCT.md §5: a mail is written to the outbox in the same batch as the change that causes it, then
// delivered after the answer is sent; the cron trigger retries what failed, with backoff.
export type OutboxOptions = {
  from: string
  // Development keeps delivered bodies so /dev/mails can show them; elsewhere a body holding a
  // temporary password is deleted as soon as it is delivered or can no longer be.
  keepBodies: boolean
  // The global hourly budget the public forms' mails share (limits.ts `takeMailBudget`).
  budgetPerHour: number
}

// Brevo drops a second send with the same idempotency key for 30 minutes
// (developers.brevo.com, "Idempotency for batch emails"): at 45 s doubling, the first six attempts of
// a mail fall within 24 minutes of the first, so a retry after a time-out ("maybe sent") is deduplicated.
const BACKOFF_BASE_MS = 45_000
const BACKOFF_MAX_MS = 60 * 60_000
// A claimed mail is leased, not locked: if the Worker dies mid-send, the mail is due again after this.
const CLAIM_LEASE_MS = 5 * 60_000

/**
 * A mail for the outbox, as a statement for the batch of the change that causes it (with `fence`, only
 * if the change happened), and a select that reads back its id at the end of that batch.
 */
export function enqueueMailStatements(
  db: Db,
  input: {
    familyId: number
    kind: OutboxMail['kind']
    to: string
    content: MailContent
    now: number
    expiresAt: number
    // A public form's mail: counted in the hourly budget; `priority` 1 goes first when it reopens.
    inBudget?: boolean
    priority?: number
  },
  fence?: SQL,
) {
  const idempotencyKey = crypto.randomUUID()
  const values = {
    familyId: input.familyId,
    kind: input.kind,
    recipient: input.to,
    subject: input.content.subject,
    text: input.content.text,
    html: input.content.html,
    idempotencyKey,
    nextAttemptAt: input.now,
    expiresAt: input.expiresAt,
    inBudget: input.inBudget ?? false,
    priority: input.priority ?? 0,
    createdAt: input.now,
  }
  return {
    enqueue: insertWhereStatement(db, outbox, values, fence),
    queuedId: db
      .select({ id: outbox.id })
      .from(outbox)
      .where(eq(outbox.idempotencyKey, idempotencyKey)),
  }
}

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
function nextAttemptDelay(attempts: number, random = Math.random()): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0))
  return Math.round(ceiling / 2 + (random * ceiling) / 2)
}

const isDue = (now: number) =>
  and(inArray(outbox.status, ['pending', 'sending']), lte(outbox.nextAttemptAt, now))

/** The time as a deliverer reads it, afresh at each step: a run can outlast a lease. */
export type Clock = () => number

/** A cron run's clock: its scheduled time, moving on with the wall clock while the run lasts. */
export function clockFrom(start: number): Clock {
  const offset = start - Date.now()
  return () => Date.now() + offset
}

/**
 * Claims mails in one conditional UPDATE that leases them: two deliverers running at once (a
 * request's waitUntil, overlapping cron runs) never get the same mail. The lease counts from the
 * moment of the claim, not from the start of a run that may have been sending for minutes.
 */
function claim(db: Db, which: SQL, clock: Clock): Promise<OutboxMail[]> {
  const now = clock()
  return db
    .update(outbox)
    .set({ status: 'sending', nextAttemptAt: now + CLAIM_LEASE_MS, lease: crypto.randomUUID() })
    .where(and(which, isDue(now)))
    .returning()
}

/**
 * The mails due now (pending, or sending with an expired lease), `limit` at most: a trusted device's
 * first (when the budget reopens, its mails are the ones that go), then the oldest.
 */
export function claimDueMails(db: Db, clock: Clock, limit: number): Promise<OutboxMail[]> {
  const now = clock()
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(isDue(now))
    .orderBy(desc(outbox.priority), asc(outbox.nextAttemptAt))
    .limit(limit)
  return claim(db, inArray(outbox.id, due), () => now)
}

const purgedBody = (mail: Pick<OutboxMail, 'kind'>, options: OutboxOptions) =>
  mail.kind === 'temporary_password' && !options.keepBodies ? { text: null, html: null } : {}

// `lost`: the lease ran out before the send, and the mail was left to whoever holds it now.
// `deferred`: the hourly budget is spent; the mail waits in the outbox for the next window.
export type DeliveryOutcome = 'delivered' | 'retrying' | 'deferred' | 'failed' | 'expired' | 'lost'

// A claim this close to its end is renewed before a send: the send (time-out included) must end
// before another deliverer may claim the row. Larger than any mailer time-out (config: 60 s at most).
const SEND_MARGIN_MS = 90_000

/**
 * Re-checks a claim right before its send and extends it from now: false if its lease ran out (an
 * earlier send of the same run was slow) or another claim holds the row, which may be sending it.
 */
async function renewLease(db: Db, mail: OutboxMail, now: number): Promise<boolean> {
  const renewed = await db
    .update(outbox)
    .set({ nextAttemptAt: now + CLAIM_LEASE_MS })
    .where(
      and(
        eq(outbox.id, mail.id),
        eq(outbox.status, 'sending'),
        eq(outbox.lease, mail.lease ?? ''),
        gt(outbox.nextAttemptAt, now),
      ),
    )
    .returning({ id: outbox.id })
  return renewed.length === 1
}

/** Delivers one outbox mail now if it is due (right after the answer that queued it). */
export async function deliverOutboxMail(
  db: Db,
  mailer: Mailer,
  id: number,
  options: OutboxOptions,
  clock: Clock = Date.now,
): Promise<DeliveryOutcome | 'not-due'> {
  const [mail] = await claim(db, eq(outbox.id, id), clock)
  return mail ? sendClaimedMail(db, mailer, mail, options, clock) : 'not-due'
}

/**
 * Sends a claimed mail and records the outcome: delivered, retry later, failed for good, expired; or
 * sends nothing if the claim is no longer held.
 */
async function sendClaimedMail(
  db: Db,
  mailer: Mailer,
  mail: OutboxMail,
  options: OutboxOptions,
  clock: Clock,
): Promise<DeliveryOutcome> {
  // A claim made at the start of a run can expire while earlier mails are sent; the next run then
  // claims the row again and sends it. Only a lease that holds for the whole send may send: a fresh
  // claim does (its RETURNING gave its end, `nextAttemptAt`), an older one is renewed first.
  let now = clock()
  if (now >= mail.nextAttemptAt - SEND_MARGIN_MS && !(await renewLease(db, mail, now))) {
    return 'lost'
  }
  // Only the claim that sent it may record the outcome: a sender slower than its lease (an answer that
  // came after the time-out) must not reset a row a later claim delivered or holds.
  const stillOurs = and(
    eq(outbox.id, mail.id),
    eq(outbox.status, 'sending'),
    eq(outbox.lease, mail.lease ?? ''),
  )
  if (mail.expiresAt !== null && now >= mail.expiresAt) {
    await db
      .update(outbox)
      .set({ status: 'expired', lastError: 'expired before delivery', text: null, html: null })
      .where(stillOurs)
    return 'expired'
  }
  if (mail.inBudget) {
    const budget = await takeMailBudget(db, options.budgetPerHour, now)
    if (!budget.allowed) {
      await db
        .update(outbox)
        .set({ status: 'pending', nextAttemptAt: now + budget.retryAfterMs, lease: null })
        .where(stillOurs)
      return 'deferred'
    }
  }
  const result = await mailer.send({
    from: options.from,
    to: mail.recipient,
    subject: mail.subject,
    text: mail.text ?? '',
    html: mail.html ?? '',
    idempotencyKey: mail.idempotencyKey,
  })
  now = clock()
  const attempts = mail.attempts + 1
  if (result.ok) {
    await db
      .update(outbox)
      .set({
        status: 'delivered',
        attempts,
        deliveredAt: now,
        lastError: null,
        lease: null,
        ...purgedBody(mail, options),
      })
      .where(stillOurs)
    return 'delivered'
  }
  // The reason (an HTTP status, "timeout"), never the body or the address.
  logJson('warn', 'mail_not_delivered', {
    mailId: mail.id,
    attempts,
    retry: result.retryable,
    reason: result.reason,
  })
  if (result.quota) await logMailBudgetExhausted(db, 'provider quota', now)
  if (!result.retryable) {
    await db
      .update(outbox)
      .set({ status: 'failed', attempts, lastError: result.reason, ...purgedBody(mail, options) })
      .where(stillOurs)
    return 'failed'
  }
  await db
    .update(outbox)
    .set({
      status: 'pending',
      attempts,
      lastError: result.reason,
      nextAttemptAt: now + nextAttemptDelay(attempts),
      lease: null,
    })
    .where(stillOurs)
  return 'retrying'
}

/**
 * One delivery run (the cron's): claims up to `limit` due mails and sends them, `parallel` at a time.
 * Counts the outcomes; a send that throws stays "sending" and is due again when its lease runs out.
 */
export async function deliverDueMails(
  db: Db,
  mailer: Mailer,
  options: OutboxOptions,
  run: { clock: Clock; limit: number; parallel: number },
) {
  const claimed = await claimDueMails(db, run.clock, run.limit)
  const outcomes: Record<DeliveryOutcome, number> = {
    delivered: 0,
    retrying: 0,
    deferred: 0,
    failed: 0,
    expired: 0,
    lost: 0,
  }
  for (const slice of slicesByPriority(claimed, run.parallel)) {
    await Promise.all(
      slice.map(async (mail) => {
        try {
          outcomes[await sendClaimedMail(db, mailer, mail, options, run.clock)]++
        } catch (error) {
          logJson('error', 'mail_delivery_crashed', {
            mailId: mail.id,
            reason: safeErrorReason(error),
          })
        }
      }),
    )
  }
  return { claimed: claimed.length, outcomes }
}

/** `parallel` mails at a time, a trusted browser's first: they take the hour's budget first. */
function slicesByPriority(mails: OutboxMail[], parallel: number): OutboxMail[][] {
  const levels = [...new Set(mails.map((mail) => mail.priority))].sort((a, b) => b - a)
  return levels.flatMap((level) => {
    const same = mails.filter((mail) => mail.priority === level)
    const slices = []
    for (let start = 0; start < same.length; start += parallel) {
      slices.push(same.slice(start, start + parallel))
    }
    return slices
  })
}

/** Gives up, and deletes the body of, every undelivered mail past its expiry. */
export function expireOverdueMails(db: Db, now: number) {
  return db
    .update(outbox)
    .set({ status: 'expired', lastError: 'expired before delivery', text: null, html: null })
    .where(
      and(
        inArray(outbox.status, ['pending', 'sending']),
        isNotNull(outbox.expiresAt),
        lte(outbox.expiresAt, now),
      ),
    )
    .returning({ id: outbox.id })
}

export function deleteFinishedMailsStatement(db: Db, now: number) {
  return db
    .delete(outbox)
    .where(
      and(
        inArray(outbox.status, ['delivered', 'failed', 'expired']),
        lt(outbox.createdAt, now - RETENTION.finishedMailsMs),
      ),
    )
}

type OutboxStats = {
  pending: number
  sending: number
  delivered: number
  failed: number
  expired: number
  oldestPendingAgeSeconds: number | null
}

/** The outbox at a glance, for ops: counts by status and how long the oldest mail has waited. */
export async function outboxStats(db: Db, now: number): Promise<OutboxStats> {
  const rows = await db
    .select({
      status: outbox.status,
      count: sql<number>`count(*)`,
      oldest: sql<number | null>`min(${outbox.createdAt})`,
    })
    .from(outbox)
    .groupBy(outbox.status)
  const count = (status: OutboxMail['status']) =>
    rows.find((row) => row.status === status)?.count ?? 0
  const waiting = rows.filter((row) => row.status === 'pending' || row.status === 'sending')
  const oldest = waiting.length > 0 ? Math.min(...waiting.map((row) => row.oldest ?? now)) : null
  return {
    pending: count('pending'),
    sending: count('sending'),
    delivered: count('delivered'),
    failed: count('failed'),
    expired: count('expired'),
    oldestPendingAgeSeconds:
      oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
  }
}
