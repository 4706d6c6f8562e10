import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { render } from '../http/respond'
import { accessibilityStep, legalNoticeStep, personalDataStep } from '../views/public-service'

// docs/public-service-pages.md: plain pages, linked from every footer, open to everyone (restricted sessions too).
export const accessibility = new Hono<AppEnv>().get('/', (c) =>
  render(c, accessibilityStep(c.var.config)),
)

export const personalData = new Hono<AppEnv>().get('/', (c) =>
  render(c, personalDataStep(c.var.config)),
)

export const legalNotice = new Hono<AppEnv>().get('/', (c) =>
  render(c, legalNoticeStep(c.var.config)),
)
