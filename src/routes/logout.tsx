import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { clearSessionCookie, takeFranceConnectIdToken } from '../http/cookies'
import { isHtmx, nextStep } from '../http/respond'
import { randomHex } from '../services/crypto'
import { endSessionUrl } from '../services/franceconnect'
import { franceConnectClient } from '../services/flows/franceconnect'
import { logJson, safeErrorReason } from '../services/logging'
import { invalidateSession } from '../services/records/sessions'
import { PATHS } from '../paths'
import { signInStep } from '../views/login'

export const logout = new Hono<AppEnv>().post('/', async (c) => {
  const current = c.var.session
  if (current) await invalidateSession(c.var.db, current.token)
  clearSessionCookie(c)
  // A FranceConnect session ends at FranceConnect too, which sends the browser back to /connexion
  // (docs/franceconnect.md): without it, the next person at a shared computer would be let in there.
  const idToken = takeFranceConnectIdToken(c)
  const client = franceConnectClient(c.var.config)
  if (current?.session.method === 'franceconnect' && idToken && client) {
    const url = await endSessionUrl(client, { idToken, state: randomHex(32) }).catch(
      (error: unknown) => {
        logJson('warn', 'franceconnect_logout_failed', { reason: safeErrorReason(error) })
        return null
      },
    )
    if (url && isHtmx(c)) {
      c.header('HX-Redirect', url)
      return c.body(null, 204)
    }
    if (url) return c.redirect(url, 303)
  }
  return nextStep(c, PATHS.signIn, () =>
    signInStep({
      identifierHelp: c.var.config.identifierHelp,
      franceConnect: client !== null,
    }),
  )
})
