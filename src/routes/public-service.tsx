import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { render } from '../http/respond'
import {
  ACCESSIBILITY_TITLE,
  AccessibilityStatement,
  LEGAL_NOTICE_TITLE,
  LegalNotice,
  PERSONAL_DATA_TITLE,
  PersonalDataNotice,
} from '../views/public-service'

// docs/public-service-pages.md: plain pages, linked from every footer, open to everyone (restricted sessions too).
export const accessibility = new Hono<AppEnv>().get('/', (c) =>
  render(c, { title: ACCESSIBILITY_TITLE, body: <AccessibilityStatement config={c.var.config} /> }),
)

export const personalData = new Hono<AppEnv>().get('/', (c) =>
  render(c, { title: PERSONAL_DATA_TITLE, body: <PersonalDataNotice config={c.var.config} /> }),
)

export const legalNotice = new Hono<AppEnv>().get('/', (c) =>
  render(c, { title: LEGAL_NOTICE_TITLE, body: <LegalNotice config={c.var.config} /> }),
)
