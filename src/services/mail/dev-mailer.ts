import type { Mailer } from './mailer'

/**
 * Development: the outbox row itself is the mailbox that /dev/mails shows, so delivering is a no-op that
 * always succeeds. Never allowed outside development (src/config.ts).
 */
export const devMailer: Mailer = {
  async send() {
    return { ok: true }
  },
}
