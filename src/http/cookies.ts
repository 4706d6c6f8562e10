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

// The agents' console, without JavaScript: what a confirmed action did, carried across its 303 to the
// page it acted on (post, redirect, get), so reloading that page never posts the action again.
const AGENT_NOTICE_COOKIE = '__Host-agent-notice'

export function setAgentNotice(c: Context<AppEnv>, path: string, notice: string) {
  setCookie(c, AGENT_NOTICE_COOKIE, `${path}\n${notice}`, {
    ...baseOptions,
    sameSite: 'Strict',
    maxAge: 60,
  })
}

/** The notice for the page at `path`, read once; none if it was for another page. */
export function takeAgentNotice(c: Context<AppEnv>, path: string): string | undefined {
  const value = getCookie(c, AGENT_NOTICE_COOKIE)
  if (value === undefined) return undefined
  deleteCookie(c, AGENT_NOTICE_COOKIE, baseOptions)
  const [forPath, ...notice] = value.split('\n')
  return forPath === path ? notice.join('\n') : undefined
}

export const readDeviceCookie = (c: Context<AppEnv>) => getCookie(c, DEVICE_COOKIE)

export function setDeviceCookie(c: Context<AppEnv>, token: string) {
  setCookie(c, DEVICE_COOKIE, token, { ...baseOptions, maxAge: RETENTION.deviceCookieMs / 1000 })
}

// FranceConnect (docs/franceconnect.md). Lax, not Strict: each is read on a navigation that began at
// FranceConnect (its redirect back, and the redirect to the linking page).
// The state of the sign-in sent to FranceConnect, for its callback only: 10 minutes.
const FRANCECONNECT_STATE_COOKIE = '__Host-fc-state'
// The identity waiting to be linked: 15 minutes.
const FRANCECONNECT_LINK_COOKIE = '__Host-fc-link'
// The ID token, for the end-session request at sign-out (`id_token_hint`): as long as the browser.
const FRANCECONNECT_ID_COOKIE = '__Host-fc-id'

export function setFranceConnectState(c: Context<AppEnv>, state: string) {
  setCookie(c, FRANCECONNECT_STATE_COOKIE, state, { ...baseOptions, maxAge: 600 })
}

/** The state, read once: the cookie goes whatever the callback brings. */
export function takeFranceConnectState(c: Context<AppEnv>): string | undefined {
  const state = getCookie(c, FRANCECONNECT_STATE_COOKIE)
  if (state !== undefined) deleteCookie(c, FRANCECONNECT_STATE_COOKIE, baseOptions)
  return state
}

export function setFranceConnectLink(c: Context<AppEnv>, token: string) {
  setCookie(c, FRANCECONNECT_LINK_COOKIE, token, { ...baseOptions, maxAge: 900 })
}

export const readFranceConnectLink = (c: Context<AppEnv>) => getCookie(c, FRANCECONNECT_LINK_COOKIE)

export function clearFranceConnectLink(c: Context<AppEnv>) {
  deleteCookie(c, FRANCECONNECT_LINK_COOKIE, baseOptions)
}

export function setFranceConnectIdToken(c: Context<AppEnv>, idToken: string) {
  setCookie(c, FRANCECONNECT_ID_COOKIE, idToken, baseOptions)
}

/** The ID token for the end-session request, read once at sign-out. */
export function takeFranceConnectIdToken(c: Context<AppEnv>): string | undefined {
  const idToken = getCookie(c, FRANCECONNECT_ID_COOKIE)
  if (idToken !== undefined) deleteCookie(c, FRANCECONNECT_ID_COOKIE, baseOptions)
  return idToken
}
