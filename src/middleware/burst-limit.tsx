import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { render } from '../http/respond'
import { ErrorPanel, errorTitle } from '../views/error'

/**
 * Caps bursts of posts per client address with the Workers Rate Limiting binding (in memory at the
 * edge), before any D1 work; the durable, per-number limits are counted in D1 afterwards.
 */
export const burstLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== 'POST') return next()
  const { success } = await c.env.BURST_LIMITER.limit({ key: c.var.clientKey })
  if (success) return next()
  c.header('Retry-After', '60')
  return render(c, { title: errorTitle(429), status: 429, body: <ErrorPanel status={429} /> })
})
