import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { CHALLENGE_FIELD, challengeSolved } from '../services/challenge'
import { mailRequestLimited, type Limited, type MailSubject } from '../services/limits'
import type { ChallengeView } from '../views/components'
import { tooManyAttempts } from './limits'
import { isHtmx } from './respond'

// What tells a person on a shared network from a flood: past a per-client limit, a browser with
// JavaScript (an htmx request) gets a challenge with its 429, and a solved one lets the next attempt
// through, still counted per number. Without JavaScript the 429 stays, with its delay.

export const CHALLENGE_ALERT =
  'Beaucoup de demandes viennent de votre réseau (mairie, école, opérateur mobile…). Cochez la vérification ci-dessous, puis validez à nouveau.'

/** Whether the form carries a challenge solved for this site (one siteverify call when it does). */
export function challengeAnswered(c: Context<AppEnv>, body: Record<string, unknown>) {
  const settings = c.var.config.challenge
  const token = body[CHALLENGE_FIELD]
  if (!settings || typeof token !== 'string' || token === '') return Promise.resolve(false)
  return challengeSolved(settings, token, c.req.header('cf-connecting-ip'))
}

/** The challenge to show instead of a wait, when only per-client limits stopped a JavaScript browser. */
function challengeInstead(c: Context<AppEnv>, limited: Limited): ChallengeView | undefined {
  const settings = c.var.config.challenge
  if (!settings || !limited.networkOnly || !isHtmx(c)) return undefined
  return { siteKey: settings.siteKey, scriptUrl: settings.scriptUrl }
}

/**
 * What a limited form shows with its 429: the challenge when one can be offered, else when to try
 * again (with `afterWait` appended) and the Retry-After header.
 */
export function refusal(c: Context<AppEnv>, limited: Limited, afterWait = '') {
  const challenge = challengeInstead(c, limited)
  if (challenge) return { alert: CHALLENGE_ALERT, challenge }
  return { alert: `${tooManyAttempts(c, limited.retryAfterMs)}${afterWait}` }
}

/**
 * Counts a request for mail about `subject` against the per-client limits (skipped when the form
 * carries a solved challenge); null when it may go on, else what its 429 shows.
 */
export async function refuseMailRequest(
  c: Context<AppEnv>,
  body: Record<string, unknown>,
  subject: MailSubject,
  now: number,
) {
  const { db, config, clientKey, clientNetworks } = c.var
  const challengeSolved = await challengeAnswered(c, body)
  const input = { subject, clientKey, networks: clientNetworks, challengeSolved }
  const limited = await mailRequestLimited(db, config, input, now)
  return limited ? refusal(c, limited) : null
}
