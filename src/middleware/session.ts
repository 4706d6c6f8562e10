import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { clearSessionCookie, readSessionCookie } from '../http/cookies'
import { redirectTo } from '../http/respond'
import { validateSessionToken } from '../services/sessions'
import { PATHS } from '../paths'

/** The family's live session, if its cookie names one; a dead cookie is removed. */
export const loadSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = readSessionCookie(c)
  const current = token ? await validateSessionToken(c.var.db, token, c.var.config.session) : null
  if (token && !current) clearSessionCookie(c)
  c.set('session', current)
  c.set('sessionEnded', Boolean(token) && !current)
  await next()
})

// A temporary-password session reaches the new-password step and sign-out, nothing else (PRODUCT.md §3.4).
const OPEN_TO_RESTRICTED = new Set<string>([
  PATHS.newPassword,
  PATHS.signOut,
  PATHS.healthz,
  PATHS.accessibility,
  PATHS.personalData,
  PATHS.legalNotice,
])

export const confineRestrictedSessions = createMiddleware<AppEnv>(async (c, next) => {
  const restricted = c.var.session?.session.kind === 'restricted'
  if (
    restricted &&
    !OPEN_TO_RESTRICTED.has(c.req.path) &&
    !c.req.path.startsWith(`${PATHS.dev}/`)
  ) {
    return redirectTo(c, PATHS.newPassword)
  }
  await next()
})
