import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { redirectTo, render } from '../http/respond'
import { familySpaceStep } from '../views/family-space'
import { PATHS } from '../paths'

export const familySpace = new Hono<AppEnv>().get('/', async (c) => {
  const current = c.var.session
  if (!current) return redirectTo(c, PATHS.signIn)
  return render(c, familySpaceStep(current.family))
})
