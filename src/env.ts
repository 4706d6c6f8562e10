import type { Config } from './config'
import type { Db } from './db/client'
import type { CurrentSession } from './services/sessions'

export type Bindings = Env & {
  // Secret (`wrangler secret put MAIL_API_KEY`), only for MAIL_PROVIDER = "http".
  MAIL_API_KEY?: string
  // Cloudflare Email Service binding, only for MAIL_PROVIDER = "cloudflare".
  EMAIL?: SendEmail
}

export type AppEnv = {
  Bindings: Bindings
  Variables: {
    config: Config
    db: Db
    // SHA-256 of the client address: what limits and events key on.
    clientHash: string
    session: CurrentSession | null
    secureHeadersNonce?: string
  }
}
