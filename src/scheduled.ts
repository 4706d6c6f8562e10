import { configFor } from './config'
import { createDb } from './db/client'
import type { Bindings } from './env'
import { logJson } from './services/logging'
import { createMailer, outboxOptions } from './services/mail'
import {
  clockFrom,
  deliverDueMails,
  expireOverdueMails,
  outboxStats,
  deleteFinishedMailsStatement,
} from './services/mail/outbox'
import { deleteStaleAttemptsStatement } from './services/limits'
import { deleteOldEventsStatement } from './services/records/security-events'
import { deleteExpiredSessionsStatement } from './services/records/sessions'
import { deleteSpentTemporaryPasswordsStatement } from './services/records/temporary-passwords'

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
  const mailer = createMailer(config, env.EMAIL)

  const expired = await expireOverdueMails(db, now)
  const { claimed, outcomes } = await deliverDueMails(db, mailer, options, {
    clock: clockFrom(now),
    limit: BATCH_SIZE,
    parallel: PARALLEL_SENDS,
  })
  // Housekeeping: what is spent or stale goes, in one round trip.
  await db.batch([
    deleteExpiredSessionsStatement(db, config.session, now),
    deleteStaleAttemptsStatement(db, now),
    deleteSpentTemporaryPasswordsStatement(db, now),
    deleteOldEventsStatement(db, now),
    deleteFinishedMailsStatement(db, now),
  ])

  logJson('info', 'outbox_run', {
    claimed,
    ...outcomes,
    expiredNow: expired.length + outcomes.expired,
    outbox: await outboxStats(db, now),
  })
}
