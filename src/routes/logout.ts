import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { clearSessionCookie } from '../http/cookies'
import { redirectTo } from '../http/respond'
import { invalidateSession } from '../services/sessions'
import { PATHS } from '../paths'

export const logout = new Hono<AppEnv>().post('/', async (c) => {
  const current = c.var.session
  if (current) await invalidateSession(c.var.db, current.token)
  clearSessionCookie(c)
  return redirectTo(c, PATHS.signIn)
})
