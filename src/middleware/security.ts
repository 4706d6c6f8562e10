import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from '../env'
import { TURNSTILE_ORIGIN } from '../services/challenge'

// OWASP Secure Headers project; ASVS 5.0 V3.4. No inline script or style anywhere: htmx and the page
// script carry a per-response nonce, everything else comes from 'self'.
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    // Turnstile's script and frame, shown only past a per-client limit (services/challenge.ts).
    scriptSrc: ["'self'", NONCE, TURNSTILE_ORIGIN],
    frameSrc: [TURNSTILE_ORIGIN],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  // Not no-referrer: under it a browser sends `Origin: null` on a plain form post (Fetch standard,
  // "serializing a request origin"), and Safari before 16.4 sends no Sec-Fetch-Site, so iPhones on
  // iOS 15 could not post a form without JavaScript. same-origin keeps the Origin for this site and
  // still sends no Referer to another one (W3C Referrer Policy §3).
  referrerPolicy: 'same-origin',
  xFrameOptions: 'DENY',
  // Headers for Internet Explorer and Flash only: bytes on every answer for no one.
  xDownloadOptions: false,
  xDnsPrefetchControl: false,
  xPermittedCrossDomainPolicies: false,
  crossOriginResourcePolicy: 'same-origin',
})

/**
 * With FranceConnect, sign-out (a form post) ends in a redirect to its end-session endpoint: CSP's
 * form-action governs a form's redirects too, so its origin is allowed there, and nowhere else.
 */
export const franceConnectFormAction = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  const issuer = c.var.config?.franceConnect?.issuer
  const csp = c.res.headers.get('Content-Security-Policy')
  if (!issuer || !csp) return
  const origin = new URL(issuer).origin
  c.res.headers.set(
    'Content-Security-Policy',
    csp.replace("form-action 'self'", `form-action 'self' ${origin}`),
  )
})

/** Every page shows or takes a secret: none of them may be kept by a shared computer's cache. */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  c.res.headers.set('Cache-Control', 'no-store')
})

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/

/**
 * OWASP CSRF Prevention cheat sheet, "Fetch Metadata" and "Verifying Origin": a state-changing request
 * must come from this origin, whatever its content type (hono/csrf only checks form content types).
 * A request with neither Sec-Fetch-Site nor Origin is refused.
 */
export const sameOriginOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE_METHOD.test(c.req.method)) return next()
  const site = c.req.header('Sec-Fetch-Site')
  const origin = c.req.header('Origin')
  const ownOrigin = new URL(c.req.url).origin
  const allowed = site === undefined ? origin === ownOrigin : site === 'same-origin'
  if (!allowed) throw new HTTPException(403, { message: 'cross-site request' })
  await next()
})
