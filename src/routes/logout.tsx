import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { clearSessionCookie } from '../http/cookies'
import { nextStep } from '../http/respond'
import { invalidateSession } from '../services/records/sessions'
import { PATHS } from '../paths'
import { signInStep } from '../views/login'

export const logout = new Hono<AppEnv>().post('/', async (c) => {
  const current = c.var.session
  if (current) await invalidateSession(c.var.db, current.token)
  clearSessionCookie(c)
  return nextStep(c, PATHS.signIn, () =>
    signInStep({ identifierHelp: c.var.config.identifierHelp }),
  )
})
