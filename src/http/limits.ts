import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { retryAfterMinutes } from '../services/limits'

/** Sets Retry-After and returns the French sentence that says when to try again. */
export function tooManyAttempts(c: Context<AppEnv>, retryAfterMs: number): string {
  const minutes = retryAfterMinutes(retryAfterMs)
  c.header('Retry-After', String(minutes * 60))
  return `Trop de tentatives. Par sécurité, réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`
}
