import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { createMailer, outboxOptions } from '../services/mail'
import { deliverOutboxMail } from '../services/mail/outbox'
import { logJson, safeErrorReason } from '../services/logging'

/**
 * Runs `queue` (which writes a mail to the outbox and returns its id) and delivers that mail once the
 * answer has been sent (waitUntil). A failure here is retried by the cron trigger; it is logged with
 * its reason only, never with the mail.
 */
export function deliverInBackground(c: Context<AppEnv>, queue: () => Promise<number | null>) {
  const { config, db } = c.var
  const work = (async () => {
    const mailId = await queue()
    if (mailId === null) return
    await deliverOutboxMail(db, createMailer(config, c.env), mailId, outboxOptions(config))
  })().catch((error: unknown) => {
    logJson('error', 'background_mail_failed', { reason: safeErrorReason(error) })
  })
  c.executionCtx.waitUntil(work)
}
