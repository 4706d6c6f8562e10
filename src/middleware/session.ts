import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { clearSessionCookie, readSessionCookie } from '../http/cookies'
import { redirectTo } from '../http/respond'
import { validateSessionToken } from '../services/records/sessions'
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

// A temporary-password session reaches the new-password step and sign-out; the sign-in and recovery
// pages stay open to it so that the next person at a shared terminal is never led into step 5, which
// would let them choose the family's password (OWASP Session Management cheat sheet, "Session Expiration").
const OPEN_TO_RESTRICTED = new Set<string>([
  PATHS.newPassword,
  PATHS.signOut,
  PATHS.signIn,
  PATHS.passkeySignIn,
  PATHS.passkeySignInOptions,
  PATHS.franceConnect,
  PATHS.franceConnectCallback,
  PATHS.franceConnectLink,
  PATHS.forgotPassword,
  PATHS.forgotNumber,
  PATHS.healthz,
  PATHS.accessibility,
  PATHS.personalData,
  PATHS.legalNotice,
])

// Anywhere else, the sign-in page: it says a request is under way and offers to cancel it. Not step 5:
// it carries the family number (for password managers) and takes a new password from whoever is there;
// the family reaches it from the sign-in it just made, or at its own URL.
export const confineRestrictedSessions = createMiddleware<AppEnv>(async (c, next) => {
  const restricted = c.var.session?.session.kind === 'restricted'
  if (
    restricted &&
    !OPEN_TO_RESTRICTED.has(c.req.path) &&
    !c.req.path.startsWith(`${PATHS.dev}/`)
  ) {
    return redirectTo(c, PATHS.signIn)
  }
  await next()
})
