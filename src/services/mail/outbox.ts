import { and, eq, lte } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { outbox, type OutboxMail } from '../../db/schema'
import type { MailContent } from '../../views/mails'
import type { Mailer } from './mailer'

// PRODUCT.md §5: a mail is written to the outbox in the same batch as the change that causes it, then
// delivered after the answer is sent; the cron trigger retries what failed.
export type OutboxOptions = {
  from: string
  // Development keeps delivered bodies so /dev/mails can show them; elsewhere a body holding a
  // temporary password is deleted as soon as it is delivered or can no longer be.
  keepBodies: boolean
}

const BACKOFF_BASE_MS = 60_000
const BACKOFF_MAX_MS = 60 * 60_000

export function enqueueMailStatement(
  db: Db,
  input: {
    familyId: number
    kind: OutboxMail['kind']
    to: string
    content: MailContent
    now: number
    expiresAt?: number
  },
) {
  return db.insert(outbox).values({
    familyId: input.familyId,
    kind: input.kind,
    recipient: input.to,
    subject: input.content.subject,
    text: input.content.text,
    html: input.content.html,
    idempotencyKey: crypto.randomUUID(),
    nextAttemptAt: input.now,
    expiresAt: input.expiresAt ?? null,
  })
}

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function nextAttemptDelay(attempts: number, random = Math.random()): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0))
  return Math.round(ceiling / 2 + (random * ceiling) / 2)
}

const purgedBody = (mail: Pick<OutboxMail, 'kind'>, options: OutboxOptions) =>
  mail.kind === 'temporary_password' && !options.keepBodies ? { text: null, html: null } : {}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed' | 'expired' | 'not-due'

/**
 * Delivers one outbox mail if it is due. The claim is one conditional UPDATE, so two deliverers
 * running at once (the request's waitUntil and a cron run) never send the same mail twice.
 */
export async function deliverOutboxMail(
  db: Db,
  mailer: Mailer,
  id: number,
  options: OutboxOptions,
  now = Date.now(),
): Promise<DeliveryOutcome> {
  const [mail] = await db
    .update(outbox)
    .set({ status: 'sending' })
    .where(and(eq(outbox.id, id), eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .returning()
  if (!mail) return 'not-due'
  return sendClaimed(db, mailer, mail, options, now)
}

async function sendClaimed(
  db: Db,
  mailer: Mailer,
  mail: OutboxMail,
  options: OutboxOptions,
  now: number,
): Promise<DeliveryOutcome> {
  if (mail.expiresAt !== null && now >= mail.expiresAt) {
    await db
      .update(outbox)
      .set({ status: 'expired', lastError: 'expired before delivery', text: null, html: null })
      .where(eq(outbox.id, mail.id))
    return 'expired'
  }
  const result = await mailer.send({
    from: options.from,
    to: mail.recipient,
    subject: mail.subject,
    text: mail.text ?? '',
    html: mail.html ?? '',
    idempotencyKey: mail.idempotencyKey,
  })
  const attempts = mail.attempts + 1
  if (result.ok) {
    await db
      .update(outbox)
      .set({
        status: 'delivered',
        attempts,
        deliveredAt: now,
        lastError: null,
        ...purgedBody(mail, options),
      })
      .where(eq(outbox.id, mail.id))
    return 'delivered'
  }
  if (!result.retryable) {
    await db
      .update(outbox)
      .set({ status: 'failed', attempts, lastError: result.reason, ...purgedBody(mail, options) })
      .where(eq(outbox.id, mail.id))
    return 'failed'
  }
  await db
    .update(outbox)
    .set({
      status: 'pending',
      attempts,
      lastError: result.reason,
      nextAttemptAt: now + nextAttemptDelay(attempts),
    })
    .where(eq(outbox.id, mail.id))
  return 'retrying'
}
