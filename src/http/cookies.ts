import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../env'
import { isFamilyNumber } from '../family-number'
import { RETENTION } from '../services/retention'

// OWASP Session Management cheat sheet "Cookies"; ASVS 5.0 V3.3. `__Host-` pins the cookie to this
// origin (Secure, Path=/, no Domain). Browsers keep Secure cookies on http://127.0.0.1 and localhost.
export const SESSION_COOKIE = '__Host-session'
const FLASH_COOKIE = '__Host-flash'
// services/devices.ts: a token that holds no personal data, kept a year.
const DEVICE_COOKIE = '__Host-device'

const baseOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const

export function setSessionCookie(c: Context<AppEnv>, token: string) {
  // A session cookie (no Max-Age): the server's idle and absolute expiry decide, and closing the
  // browser forgets it.
  setCookie(c, SESSION_COOKIE, token, baseOptions)
}

export const readSessionCookie = (c: Context<AppEnv>) => getCookie(c, SESSION_COOKIE)

export function clearSessionCookie(c: Context<AppEnv>) {
  deleteCookie(c, SESSION_COOKIE, baseOptions)
}

/**
 * Step 6's "password saved" message and the family number to prefill, carried to /connexion for one
 * view, outside the URL (a number in a URL ends up in logs and history).
 */
export function setPasswordSavedFlash(c: Context<AppEnv>, familyNumber: string) {
  setCookie(c, FLASH_COOKIE, familyNumber, { ...baseOptions, maxAge: 300 })
}

export function takePasswordSavedFlash(c: Context<AppEnv>): string | null {
  const value = getCookie(c, FLASH_COOKIE)
  if (value === undefined) return null
  deleteCookie(c, FLASH_COOKIE, baseOptions)
  return isFamilyNumber(value) ? value : null
}

export const readDeviceCookie = (c: Context<AppEnv>) => getCookie(c, DEVICE_COOKIE)

export function setDeviceCookie(c: Context<AppEnv>, token: string) {
  setCookie(c, DEVICE_COOKIE, token, { ...baseOptions, maxAge: RETENTION.deviceCookieMs / 1000 })
}
