import type { Settings as Config } from '../settings'
import { createCloudflareMailer } from './cloudflare-mailer'
import { devMailer } from './dev-mailer'
import { createHttpMailer } from './http-mailer'
import type { Mailer } from './mailer'
import type { OutboxOptions } from './delivery'

/** The mailer MAIL_PROVIDER names. The config schema already refused a provider missing its settings. */
export function createMailer(config: Config, email: SendEmail | undefined): Mailer {
  switch (config.mail.provider) {
    case 'dev':
      return devMailer
    case 'http':
      return createHttpMailer({
        apiUrl: config.mail.apiUrl!,
        apiKey: config.mail.apiKey!,
        timeoutMs: config.mail.timeoutMs,
      })
    case 'cloudflare':
      return createCloudflareMailer(email!, config.mail.timeoutMs)
  }
}

export function outboxOptions(config: Config): OutboxOptions {
  return {
    from: config.mail.from,
    keepBodies: config.mail.provider === 'dev',
    budgetPerHour: config.limits.mailBudgetPerHour,
  }
}
