import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { PATHS } from '../paths'

export const home = new Hono<AppEnv>().get('/', (c) =>
  c.redirect(c.var.session ? PATHS.familySpace : PATHS.signIn, 303),
)
