import {
  and,
  asc,
  desc,
  eq,
  exists,
  gt,
  inArray,
  isNotNull,
  lt,
  lte,
  sql,
  type SQL,
} from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { outbox, type OutboxMail } from '../../db/schema'
import type { MailContent } from '../mail/templates'
import { RETENTION } from '../retention'

// The outbox table (docs/mail.md): a mail is written here in the same batch as the change that causes
// it, then claimed with a lease by whoever delivers it (services/mail/delivery.ts).
export type { OutboxMail }

// A claimed mail is leased, not locked: if the Worker dies mid-send, the mail is due again after this.
export const CLAIM_LEASE_MS = 5 * 60_000

/**
 * A mail for the outbox: `enqueue(fence)` writes it, as a statement for the batch of the change that
 * causes it (only if `fence` holds then), and `queuedId` reads back its id at the end of that batch.
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
    enqueue: (fence?: SQL) => insertWhereStatement(db, outbox, values, fence),
    // In the statements after `enqueue`: true once the mail is in the outbox.
    queued: exists(
      db
        .select({ one: sql`1` })
        .from(outbox)
        .where(eq(outbox.idempotencyKey, idempotencyKey)),
    ),
    queuedId: db
      .select({ id: outbox.id })
      .from(outbox)
      .where(eq(outbox.idempotencyKey, idempotencyKey)),
  }
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
export function claim(db: Db, which: SQL | number, clock: Clock): Promise<OutboxMail[]> {
  const now = clock()
  return db
    .update(outbox)
    .set({ status: 'sending', nextAttemptAt: now + CLAIM_LEASE_MS, lease: crypto.randomUUID() })
    .where(and(typeof which === 'number' ? eq(outbox.id, which) : which, isDue(now)))
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

/**
 * Re-checks a claim right before its send and extends it from now: false if its lease ran out (an
 * earlier send of the same run was slow) or another claim holds the row, which may be sending it.
 */
export async function renewLease(db: Db, mail: OutboxMail, now: number): Promise<boolean> {
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

/** Only the claim that sent it may record the outcome: a sender slower than its lease (an answer that
 * came after the time-out) must not reset a row a later claim delivered or holds. */
export function settleClaim(db: Db, mail: OutboxMail, changes: Partial<OutboxMail>) {
  return db
    .update(outbox)
    .set(changes)
    .where(
      and(eq(outbox.id, mail.id), eq(outbox.status, 'sending'), eq(outbox.lease, mail.lease ?? '')),
    )
}

const WITHDRAWN = { status: 'expired' as const, text: null, html: null }

/**
 * Withdraws the family's mails of `kind` still waiting (not one being sent): a newer temporary
 * password makes an older one's mail a dead password that could arrive after the live one. For the
 * batch that issues the newer one, if `fence` holds.
 */
export function withdrawPendingMailsStatement(
  db: Db,
  input: { familyId: number; kind: OutboxMail['kind']; reason: string },
  fence: SQL,
) {
  return db
    .update(outbox)
    .set({ ...WITHDRAWN, lastError: input.reason })
    .where(
      and(
        eq(outbox.familyId, input.familyId),
        eq(outbox.kind, input.kind),
        eq(outbox.status, 'pending'),
        fence,
      ),
    )
}

/**
 * The same for every waiting mail of the families `familyIds` selects (raw SQL, for the import's
 * batch, db/sql-batch.ts): their address is about to change, and a mail must not go to the old one.
 */
export const withdrawPendingMailsOfSql = (familyIds: SQL, reason: string, condition: SQL) =>
  sql`update ${outbox} set status = 'expired', text = null, html = null, last_error = ${reason}
    where status = 'pending' and family_id in (${familyIds}) and ${condition}`

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
