import { configFor } from './config'
import { createDb } from './db/client'
import type { Bindings } from './env'
import { runHousekeeping } from './services/flows/housekeeping'
import { logJson } from './services/logging'
import { createMailer, outboxOptions } from './services/mail'

/** The cron trigger (every minute, wrangler.toml): the environment, then the housekeeping flow. */
export async function runScheduled(env: Bindings, now = Date.now()): Promise<void> {
  const result = configFor(env)
  if (!result.ok) {
    logJson('error', 'invalid_configuration', { problems: result.problems })
    return
  }
  const { config } = result
  const mail = { mailer: createMailer(config, env.EMAIL), options: outboxOptions(config) }
  await runHousekeeping(createDb(env.DB), config, mail, now)
}
