import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { logJson, safeErrorReason } from '../services/logging'
import { databaseAnswers } from '../db/client'

// For uptime checks: 200 when the database answers, 503 otherwise. Says nothing else.
export const healthz = new Hono<AppEnv>().get('/', async (c) => {
  try {
    await databaseAnswers(c.var.db)
    return c.text('ok')
  } catch (error) {
    logJson('error', 'healthz_database_unavailable', { reason: safeErrorReason(error) })
    return c.text('indisponible', 503)
  }
})
