import type { Config } from './config'
import type { Db } from './db/client'
import type { ClientNetwork } from './services/client-key'
import type { CurrentSession } from './services/records/sessions'

export type Bindings = Env & {
  // Secret (`wrangler secret put MAIL_API_KEY`), only for MAIL_PROVIDER = "http".
  MAIL_API_KEY?: string
  // Cloudflare Email Service binding, only for MAIL_PROVIDER = "cloudflare".
  EMAIL?: SendEmail
  // Secret (`wrangler secret put FRANCECONNECT_CLIENT_SECRET`), with FRANCECONNECT_ISSUER and _CLIENT_ID.
  FRANCECONNECT_CLIENT_SECRET?: string
  // Secret (`wrangler secret put CLIENT_KEY_SECRET`), required outside development.
  CLIENT_KEY_SECRET?: string
}

export type AppEnv = {
  Bindings: Bindings
  Variables: {
    config: Config
    db: Db
    // HMAC of the client's network (an IPv4 address or an IPv6 /64): what limits and events key on.
    clientKey: string
    // Every network the client is counted under (its own, and an IPv6 client's /56 and /48).
    clientNetworks: ClientNetwork[]
    session: CurrentSession | null
    // The request carried a session cookie whose session has ended (expired, or its temporary password gone).
    sessionEnded: boolean
    // Under /agents: the Cloudflare Access identity (routes/agents.tsx).
    agent?: string
    secureHeadersNonce?: string
  }
}
