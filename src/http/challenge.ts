import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { CHALLENGE_FIELD, challengeSolved } from '../services/challenge'
import type { Limited } from '../services/limits'
import type { ChallengeView } from '../views/components'
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
export function challengeInstead(c: Context<AppEnv>, limited: Limited): ChallengeView | undefined {
  const settings = c.var.config.challenge
  if (!settings || !limited.networkOnly || !isHtmx(c)) return undefined
  return { siteKey: settings.siteKey, scriptUrl: settings.scriptUrl }
}
