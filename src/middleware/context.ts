import { createMiddleware } from 'hono/factory'
import { configFor } from '../config'
import { createDb } from '../db/client'
import type { AppEnv } from '../env'
import { answersLoopbackOnly, isLoopbackRequest } from '../http/loopback'
import { clientNetworks } from '../services/client-key'
import { logJson } from '../services/logging'
import { UNAVAILABLE_PAGE } from '../views/standalone'

/** Config, database and the keyed client network, once per request. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const result = configFor(c.env)
  if (!result.ok) {
    // Names the variables, never their values (one of them may be a secret). README.md, Configuration.
    logJson('error', 'invalid_configuration', { problems: result.problems })
    c.header('Cache-Control', 'no-store')
    return c.html(UNAVAILABLE_PAGE, 503)
  }
  c.set('config', result.config)
  // A development or test configuration (dev mailbox, no secrets) published by mistake, or reached
  // through a tunnel, serves nobody.
  if (answersLoopbackOnly(result.config.environment) && !isLoopbackRequest(c.req.raw)) {
    logJson('error', 'development_configuration_off_loopback', {})
    c.header('Cache-Control', 'no-store')
    return c.html(UNAVAILABLE_PAGE, 503)
  }
  c.set('db', createDb(c.env.DB))
  // Cloudflare sets cf-connecting-ip at its edge; `wrangler dev` sets it from the socket.
  const address = c.req.header('cf-connecting-ip')
  const networks = clientNetworks(
    result.config.clientKeySecret,
    address,
    result.config.trustedNetworks,
  )
  c.set('clientKey', networks[0]!.key)
  c.set('clientNetworks', networks)
  await next()
})
