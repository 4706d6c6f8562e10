import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { AppEnv } from '../env'
import { logJson } from '../services/logging'

/**
 * One JSON line per request for Workers Logs: the route's pattern (never the URL: no query string,
 * no family number), the status and the duration. Nothing else about the request.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now()
  await next()
  logJson('info', 'request', {
    method: c.req.method,
    route: routePath(c, -1),
    status: c.res.status,
    durationMs: Date.now() - started,
  })
})
