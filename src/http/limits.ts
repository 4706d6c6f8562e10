import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { retryAfterMinutes } from '../services/limits'

/**
 * Sets Retry-After (a minute) and returns the French sentence for a sign-in that found the isolate's
 * hashes all taken and too many waiting (services/hash-gate.ts): a clear answer, not a time-out.
 */
export function tooManySignIns(c: Context<AppEnv>): string {
  c.header('Retry-After', '60')
  return 'Trop de connexions en ce moment, réessayez dans une minute.'
}

/** Sets Retry-After and returns the French sentence that says when to try again. */
export function tooManyAttempts(c: Context<AppEnv>, retryAfterMs: number): string {
  const minutes = retryAfterMinutes(retryAfterMs)
  c.header('Retry-After', String(minutes * 60))
  return `Trop de tentatives. Par sécurité, réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`
}
