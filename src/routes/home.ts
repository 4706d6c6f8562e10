import { Hono } from 'hono'
import type { AppEnv } from '../env'

export const home = new Hono<AppEnv>().get('/', (c) =>
  c.redirect(c.var.session ? '/espace' : '/connexion', 303),
)
