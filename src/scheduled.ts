import { configFor } from './config'
import { createDb } from './db/client'
import type { Bindings } from './env'
import { logJson, safeErrorReason } from './services/logging'
import { createMailer, outboxOptions } from './services/mail'
import {
  claimDueMails,
  expireOverdueMails,
  outboxStats,
  deleteFinishedMailsStatement,
  sendClaimedMail,
  type DeliveryOutcome,
} from './services/mail/outbox'
import { deleteStaleAttemptsStatement } from './services/limits'
import { deleteOldEventsStatement } from './services/security-events'
import { deleteExpiredSessionsStatement } from './services/sessions'
import { deleteSpentTemporaryPasswordsStatement } from './services/temporary-passwords'

// One cron run (every minute, wrangler.toml): retry due mails, give up expired ones, delete spent
// and stale rows, and log the outbox's state as one JSON line for ops (never a body, never an
// address).
const BATCH_SIZE = 50
// Sends at once: enough to drain a backlog, few enough not to trip the provider's own rate limit.
const PARALLEL_SENDS = 5

export async function runScheduled(env: Bindings, now = Date.now()): Promise<void> {
  const result = configFor(env)
  if (!result.ok) {
    logJson('error', 'invalid_configuration', { problems: result.problems })
    return
  }
  const { config } = result
  const db = createDb(env.DB)
  const options = outboxOptions(config)
  const mailer = createMailer(config, env)

  const expired = await expireOverdueMails(db, now)
  const claimed = await claimDueMails(db, now, BATCH_SIZE)
  const outcomes: Record<DeliveryOutcome, number> = {
    delivered: 0,
    retrying: 0,
    deferred: 0,
    failed: 0,
    expired: 0,
  }
  // A trusted browser's mails take the hour's budget first, before the others start.
  const byPriority = [...claimed].sort((a, b) => b.priority - a.priority)
  const slices = []
  for (const level of new Set(byPriority.map((mail) => mail.priority))) {
    const mails = byPriority.filter((mail) => mail.priority === level)
    for (let start = 0; start < mails.length; start += PARALLEL_SENDS) {
      slices.push(mails.slice(start, start + PARALLEL_SENDS))
    }
  }
  for (const slice of slices) {
    await Promise.all(
      slice.map(async (mail) => {
        try {
          outcomes[await sendClaimedMail(db, mailer, mail, options, now)]++
        } catch (error) {
          // Left "sending": its lease expires and a later run tries again.
          logJson('error', 'mail_delivery_crashed', {
            mailId: mail.id,
            reason: safeErrorReason(error),
          })
        }
      }),
    )
  }
  // Housekeeping: what is spent or stale goes, in one round trip.
  await db.batch([
    deleteExpiredSessionsStatement(db, config.session, now),
    deleteStaleAttemptsStatement(db, now),
    deleteSpentTemporaryPasswordsStatement(db, now),
    deleteOldEventsStatement(db, now),
    deleteFinishedMailsStatement(db, now),
  ])

  logJson('info', 'outbox_run', {
    claimed: claimed.length,
    ...outcomes,
    expiredNow: expired.length + outcomes.expired,
    outbox: await outboxStats(db, now),
  })
}
