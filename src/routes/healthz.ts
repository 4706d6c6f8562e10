import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { logJson, safeErrorReason } from '../services/logging'
import { databaseAnswers } from '../db/client'
import { mailAlarm } from '../services/records/outbox-reads'

// For uptime checks: 200 when the database answers and mail goes out, 503 with the reason otherwise
// (no family, no address: how late the oldest mail is, or the last failures' status), so that an
// ordinary uptime monitor alerts on mail too (OPERATIONS.md, monitoring).
export const healthz = new Hono<AppEnv>().get('/', async (c) => {
  let alarm: string | null
  try {
    await databaseAnswers(c.var.db)
    alarm = await mailAlarm(c.var.db, Date.now())
  } catch (error) {
    logJson('error', 'healthz_database_unavailable', { reason: safeErrorReason(error) })
    return c.text('indisponible', 503)
  }
  if (alarm) {
    logJson('error', 'healthz_mail_alarm', { reason: alarm })
    return c.text(`indisponible : ${alarm}`, 503)
  }
  return c.text('ok')
})
