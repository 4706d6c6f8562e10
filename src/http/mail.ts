import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { createMailer, outboxOptions } from '../services/mail'
import { deliverOutboxMail } from '../services/mail/outbox'
import { logJson, safeErrorReason } from '../services/logging'

/**
 * Runs `queue` (which writes mails to the outbox and returns their ids) and delivers them once the
 * answer has been sent (waitUntil). A failure here is retried by the cron trigger; it is logged with
 * its reason only, never with the mail.
 */
export function deliverInBackground(
  c: Context<AppEnv>,
  queue: () => Promise<number | number[] | null>,
) {
  const { config, db } = c.var
  const work = (async () => {
    const queued = await queue()
    const mailer = createMailer(config, c.env)
    for (const mailId of [queued ?? []].flat()) {
      await deliverOutboxMail(db, mailer, mailId, outboxOptions(config))
    }
  })().catch((error: unknown) => {
    logJson('error', 'background_mail_failed', { reason: safeErrorReason(error) })
  })
  c.executionCtx.waitUntil(work)
}
