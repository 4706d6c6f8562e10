import { and, count, desc, eq, exists, gt, inArray, isNotNull, lte, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { families, outbox, type OutboxMail } from '../../db/schema'
import { RETENTION } from '../retention'

// What ops and agents read of the outbox (never an address or a body), and the agents' one write.
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

/** Whether any mail was delivered in the month the outbox keeps: the provider's key worked then. */
export async function anyMailDelivered(db: Db): Promise<boolean> {
  const row = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.status, 'delivered'))
    .limit(1)
    .get()
  return row !== undefined
}

// An uptime monitor polls /healthz: these make it alert when mail stops going out.
const LATE_AFTER_MS = 15 * 60_000
const FAILURES_IN_A_ROW = 5

/**
 * Why mail is not going out, in French for /healthz, or null: the oldest waiting mail waits for more
 * than 15 minutes, or the last 5 mails that were tried all failed. A mail the hourly budget put off
 * (due later, never tried) is not late: a stranger who spends the budget must not page the operator,
 * nor learn from /healthz whether a request queued a mail.
 */
export async function mailAlarm(db: Db, now: number): Promise<string | null> {
  const [oldest, tried] = await db.batch([
    db
      .select({ createdAt: sql<number | null>`min(${outbox.createdAt})` })
      .from(outbox)
      .where(
        and(
          inArray(outbox.status, ['pending', 'sending']),
          or(lte(outbox.nextAttemptAt, now), isNotNull(outbox.lastError)),
        ),
      ),
    db
      .select({ status: outbox.status, lastError: outbox.lastError })
      .from(outbox)
      .where(gt(outbox.attempts, 0))
      .orderBy(desc(outbox.id))
      .limit(FAILURES_IN_A_ROW),
  ])
  const oldestAt = oldest[0]?.createdAt ?? null
  if (oldestAt !== null && now - oldestAt > LATE_AFTER_MS) {
    return `e-mails en retard : le plus ancien attend depuis ${Math.round((now - oldestAt) / 60_000)} minutes`
  }
  if (tried.length === FAILURES_IN_A_ROW && tried.every((mail) => mail.status !== 'delivered')) {
    // A status or a known word only: a provider's free text could hold an address.
    const lastError =
      /^(HTTP \d{3}|timeout|network error)/.exec(tried[0]!.lastError ?? '')?.[1] ??
      'erreur du fournisseur'
    return `e-mails en échec : les ${FAILURES_IN_A_ROW} derniers envois ont échoué (${lastError})`
  }
  return null
}

export const MAILS_PAGE_SIZE = 20

/**
 * One page of the family's mails, newest first, without bodies or addresses, and how many it has (the
 * agents' family page).
 */
export function familyMailsStatements(db: Db, familyId: number, page: number) {
  return [
    db
      .select({
        id: outbox.id,
        kind: outbox.kind,
        status: outbox.status,
        attempts: outbox.attempts,
        lastError: outbox.lastError,
        createdAt: outbox.createdAt,
        deliveredAt: outbox.deliveredAt,
      })
      .from(outbox)
      .where(eq(outbox.familyId, familyId))
      .orderBy(desc(outbox.id))
      .limit(MAILS_PAGE_SIZE)
      .offset((page - 1) * MAILS_PAGE_SIZE),
    db.select({ total: count() }).from(outbox).where(eq(outbox.familyId, familyId)),
  ] as const
}

const LISTED = 20

/** The last failures, for the outbox page (reasons only: never an address or a body). */
export function lastFailures(db: Db) {
  return db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      // To reach the family from the console (null once the family was deleted).
      familyNumber: families.familyNumber,
    })
    .from(outbox)
    .leftJoin(families, eq(families.id, outbox.familyId))
    .where(eq(outbox.status, 'failed'))
    .orderBy(desc(outbox.id))
    .limit(LISTED)
}

/**
 * Makes a failed "password changed" notice of the family due again (its body still there), as the
 * deciding statement of a batch; `requeued` is true after it exactly when it did.
 */
export function requeueFailedNoticeStatements(
  db: Db,
  input: { familyId: number; mailId: number },
  now: number,
) {
  const requeue = db
    .update(outbox)
    .set({
      status: 'pending',
      nextAttemptAt: now,
      expiresAt: now + RETENTION.noticeMs,
      lastError: null,
    })
    .where(
      and(
        eq(outbox.id, input.mailId),
        eq(outbox.familyId, input.familyId),
        eq(outbox.kind, 'password_changed'),
        eq(outbox.status, 'failed'),
        sql`${outbox.text} is not null`,
      ),
    )
    .returning({ id: outbox.id })
  const requeued = exists(
    db
      .select({ one: sql`1` })
      .from(outbox)
      .where(
        and(
          eq(outbox.id, input.mailId),
          eq(outbox.status, 'pending'),
          eq(outbox.nextAttemptAt, now),
        ),
      ),
  )
  return { requeue, requeued }
}

/** The newest mails, bodies included: the development mailbox only (`/dev/mails`). */
export function listNewestMails(db: Db, limit: number) {
  return db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit)
}
