import type { Db } from '../../db/client'
import { logMailBudgetExhausted, takeMailBudget } from '../limits'
import { logJson, safeErrorReason } from '../logging'
import {
  claim,
  claimDueMails,
  renewLease,
  settleClaim,
  type Clock,
  type OutboxMail,
} from '../records/outbox'
import type { Mailer } from './mailer'
import { anyMailDelivered } from '../records/outbox-reads'

// docs/mail.md: a mail is written to the outbox in the same batch as the change that causes it, then
// delivered after the answer is sent; the cron trigger retries what failed, with backoff.
export type OutboxOptions = {
  from: string
  // Development keeps delivered bodies so /dev/mails can show them; elsewhere a body holding a
  // temporary password is deleted as soon as it is delivered or can no longer be.
  keepBodies: boolean
  // The global hourly budget the public forms' mails share (services/limits/mail.ts `takeMailBudget`).
  budgetPerHour: number
}

// Brevo drops a second send with the same idempotency key for 30 minutes
// (developers.brevo.com, "Idempotency for batch emails"): at 45 s doubling, the first six attempts of
// a mail fall within 24 minutes of the first, so a retry after a time-out ("maybe sent") is deduplicated.
const BACKOFF_BASE_MS = 45_000
const BACKOFF_MAX_MS = 60 * 60_000
/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
function nextAttemptDelay(attempts: number, random = Math.random()): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0))
  return Math.round(ceiling / 2 + (random * ceiling) / 2)
}

// Mails that carry a secret (a temporary password, a FranceConnect linking code) keep no body once sent.
const SECRET_KINDS = new Set<OutboxMail['kind']>(['temporary_password', 'franceconnect_code'])
const purgedBody = (mail: Pick<OutboxMail, 'kind'>, options: OutboxOptions) =>
  SECRET_KINDS.has(mail.kind) && !options.keepBodies ? { text: null, html: null } : {}

// `lost`: the lease ran out before the send, and the mail was left to whoever holds it now.
// `deferred`: the hourly budget is spent; the mail waits in the outbox for the next window.
export type DeliveryOutcome = 'delivered' | 'retrying' | 'deferred' | 'failed' | 'expired' | 'lost'

// A claim this close to its end is renewed before a send: the send (time-out included) must end
// before another deliverer may claim the row. Larger than any mailer time-out (config: 60 s at most).
const SEND_MARGIN_MS = 90_000

/** Delivers one outbox mail now if it is due (right after the answer that queued it). */
export async function deliverOutboxMail(
  db: Db,
  mailer: Mailer,
  id: number,
  options: OutboxOptions,
  clock: Clock = Date.now,
): Promise<DeliveryOutcome | 'not-due'> {
  const [mail] = await claim(db, id, clock)
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
  if (mail.expiresAt !== null && now >= mail.expiresAt) {
    await settleClaim(db, mail, {
      status: 'expired',
      lastError: 'expired before delivery',
      text: null,
      html: null,
    })
    return 'expired'
  }
  if (mail.inBudget) {
    const budget = await takeMailBudget(db, options.budgetPerHour, now)
    if (!budget.allowed) {
      await settleClaim(db, mail, {
        status: 'pending',
        nextAttemptAt: now + budget.retryAfterMs,
        lease: null,
      })
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
    await settleClaim(db, mail, {
      status: 'delivered',
      attempts,
      deliveredAt: now,
      lastError: null,
      lease: null,
      ...purgedBody(mail, options),
    })
    return 'delivered'
  }
  const reason = result.keyRefused ? await keyRefusedReason(db, result.reason) : result.reason
  // The reason (an HTTP status, "timeout"), never the body or the address.
  logJson(result.keyRefused ? 'error' : 'warn', 'mail_not_delivered', {
    mailId: mail.id,
    attempts,
    retry: result.retryable,
    reason,
  })
  if (result.quota) await logMailBudgetExhausted(db, 'provider quota', now)
  if (!result.retryable) {
    await settleClaim(db, mail, {
      status: 'failed',
      attempts,
      lastError: reason,
      ...purgedBody(mail, options),
    })
    return 'failed'
  }
  await settleClaim(db, mail, {
    status: 'pending',
    attempts,
    lastError: reason,
    nextAttemptAt: now + nextAttemptDelay(attempts),
    lease: null,
  })
  return 'retrying'
}

/**
 * What a refused key means for the operator: after deliveries that went through (the outbox keeps
 * them 30 days), the key is right and the provider blocks it, most likely for an unknown IP address.
 */
async function keyRefusedReason(db: Db, status: string) {
  return (await anyMailDelivered(db))
    ? `${status} : clé bloquée (adresses IP inconnues ?). Chez Brevo : Paramètres → Sécurité → Adresses IP autorisées, désactiver le blocage des adresses inconnues (les Workers n’ont pas d’adresse fixe).`
    : `${status} : clé refusée. Vérifiez MAIL_API_KEY (wrangler secret put MAIL_API_KEY).`
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
