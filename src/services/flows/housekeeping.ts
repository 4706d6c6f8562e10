import type { Db } from '../../db/client'
import { deleteStaleAttemptsStatement } from '../limits'
import { logJson } from '../logging'
import { deliverDueMails, type OutboxOptions } from '../mail/delivery'
import type { Mailer } from '../mail/mailer'
import { clockFrom, deleteFinishedMailsStatement, expireOverdueMails } from '../records/outbox'
import { outboxStats } from '../records/outbox-reads'
import { deleteLongClosedFamiliesStatement } from '../records/families'
import { deleteExpiredFranceConnectStatements } from '../records/franceconnect'
import { deleteExpiredChallengesStatement } from '../records/passkey-challenges'
import { deleteOldEventsStatement } from '../records/security-events'
import { deleteExpiredSessionsStatements } from '../records/sessions'
import { deleteSpentTemporaryPasswordsStatement } from '../records/temporary-passwords'
import type { Settings } from '../settings'

// One cron run (every minute, wrangler.toml): retry due mails, give up expired ones, delete spent
// and stale rows, and log the outbox's state as one JSON line for ops (never a body, never an
// address).
const BATCH_SIZE = 50
// Sends at once: enough to drain a backlog, few enough not to trip the provider's own rate limit.
const PARALLEL_SENDS = 5

export async function runHousekeeping(
  db: Db,
  settings: Settings,
  mail: { mailer: Mailer; options: OutboxOptions },
  now: number,
): Promise<void> {
  const expired = await expireOverdueMails(db, now)
  const { claimed, outcomes } = await deliverDueMails(db, mail.mailer, mail.options, {
    clock: clockFrom(now),
    limit: BATCH_SIZE,
    parallel: PARALLEL_SENDS,
  })
  // What is spent or stale goes, in one round trip.
  await db.batch([
    ...deleteExpiredSessionsStatements(db, settings.session, now),
    deleteStaleAttemptsStatement(db, now),
    deleteSpentTemporaryPasswordsStatement(db, now),
    deleteOldEventsStatement(db, now),
    deleteFinishedMailsStatement(db, now),
    deleteLongClosedFamiliesStatement(db, now),
    deleteExpiredChallengesStatement(db, now),
    ...deleteExpiredFranceConnectStatements(db, now),
  ])

  logJson('info', 'outbox_run', {
    claimed,
    ...outcomes,
    expiredNow: expired.length + outcomes.expired,
    outbox: await outboxStats(db, now),
  })
}
