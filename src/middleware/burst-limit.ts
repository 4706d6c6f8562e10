import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { burstAllowed } from '../services/limits'

/** Bursts of posts per client network, before any D1 work; answered like every other error. */
export const burstLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== 'POST') return next()
  const limiters = [c.env.BURST_LIMITER, c.env.BURST_LIMITER_56, c.env.BURST_LIMITER_48] as const
  if (await burstAllowed(limiters, c.var.clientNetworks)) return next()
  c.header('Retry-After', '60')
  throw new HTTPException(429, { message: 'burst limit' })
})
