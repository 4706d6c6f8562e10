import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { createMailer, outboxOptions } from '../services/mail'
import { deliverOutboxMail } from '../services/mail/delivery'
import { logJson, safeErrorReason } from '../services/logging'

/**
 * Runs `queue` (which writes mails to the outbox and returns their ids) and delivers them, all of it
 * after the answer has been handed back (waitUntil). A failure here is retried by the cron trigger; it
 * is logged with its reason only, never with the mail.
 */
export function deliverInBackground(
  c: Context<AppEnv>,
  queue: () => Promise<number | number[] | null>,
) {
  const { config, db } = c.var
  const work = (async () => {
    await afterTheAnswer()
    const queued = await queue()
    const mailer = createMailer(config, c.env.EMAIL)
    for (const mailId of [queued ?? []].flat()) {
      await deliverOutboxMail(db, mailer, mailId, outboxOptions(config))
    }
  })().catch((error: unknown) => {
    logJson('error', 'background_mail_failed', { reason: safeErrorReason(error) })
  })
  c.executionCtx.waitUntil(work)
}

// Long enough for the answer to have left the isolate (its bytes written) before any of the work
// runs, short enough that nobody waits for the mail: a recovery mail goes out 50 ms later.
const RECOVERY_WORK_DELAY_MS = 50

/**
 * Resolves once the request's answer is out of the isolate's hands: a timer fires only when no task and
 * no microtask is left (https://developers.cloudflare.com/workers/runtime-apis/scheduler/), and after a
 * route queues its work nothing up to the fetch handler's return awaits any I/O. Started at once, the
 * synchronous part of the work (a lookup queued, a mail rendered, a hash) would delay the answer for a
 * known number or address only (OWASP Forgot Password cheat sheet: "consistent time").
 */
function afterTheAnswer(): Promise<void> {
  return scheduler.wait(RECOVERY_WORK_DELAY_MS)
}
