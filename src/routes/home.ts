import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { PATHS } from '../paths'

// Only a full session has a space to go to; a restricted one gets the sign-in page and its notice.
export const home = new Hono<AppEnv>().get('/', (c) =>
  c.redirect(c.var.session?.session.kind === 'full' ? PATHS.familySpace : PATHS.signIn, 303),
)
