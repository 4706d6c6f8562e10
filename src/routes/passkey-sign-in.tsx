import { Hono } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import {
  readDeviceCookie,
  readSessionCookie,
  setDeviceCookie,
  setSessionCookie,
} from '../http/cookies'
import { parseForm, readForm, textField } from '../http/form'
import { refusal } from '../http/challenge'
import { nextStep, render } from '../http/respond'
import { signInWithPasskey, startPasskeySignIn } from '../services/flows/passkeys'
import { accessClosed, signInStep, STILL_BY_MAIL, type LoginFormProps } from '../views/login'
import { familySpaceView } from './family-space'
import { PATHS } from '../paths'

// docs/passkeys.md. The same words whatever went wrong: the reason is in the security event.
const PASSKEY_REFUSED =
  "Cette clé d'accès n'a pas été acceptée (elle a peut-être été supprimée de votre espace famille). Connectez-vous avec votre numéro de famille et votre mot de passe."

const assertionForm = z.object({
  credential_id: textField(),
  client_data: textField(),
  authenticator_data: textField(),
  signature: textField(),
  user_handle: textField(),
})

export const passkeySignIn = new Hono<AppEnv>()
  // A one-time challenge for navigator.credentials.get() (JSON: only the passkey script asks).
  .post('/defi', async (c) => {
    return c.json(await startPasskeySignIn(c.var.db, c.var.config, Date.now()))
  })
  .post('/', async (c) => {
    const { config, db, clientKey, clientNetworks } = c.var
    const again = (status: 403 | 422 | 429, props: Partial<LoginFormProps>) =>
      render(c, {
        ...signInStep({
          identifierHelp: config.identifierHelp,
          franceConnect: config.franceConnect !== null,
          ...props,
        }),
        status,
      })
    // Every field is text: a missing one reads as empty and fails the check below, as refused.
    const now = Date.now()
    const form = parseForm(assertionForm, await readForm(c))
    if (!form.success) return again(422, { alert: PASSKEY_REFUSED })
    const { data } = form
    const result = await signInWithPasskey(
      db,
      config,
      {
        credentialId: data.credential_id,
        clientData: data.client_data,
        authenticatorData: data.authenticator_data,
        signature: data.signature,
        userHandle: data.user_handle,
        clientKey,
        networks: clientNetworks,
        deviceCookie: readDeviceCookie(c),
        previousToken: readSessionCookie(c),
      },
      now,
    )
    if (!result.ok && result.reason === 'limited') {
      return again(429, refusal(c, result, ` ${STILL_BY_MAIL}`))
    }
    if (!result.ok && result.reason === 'closed') {
      return again(403, { alert: accessClosed(config.contactText) })
    }
    if (!result.ok) return again(422, { alert: PASSKEY_REFUSED })

    setSessionCookie(c, result.token)
    if (result.deviceToken) setDeviceCookie(c, result.deviceToken)
    return nextStep(c, PATHS.familySpace, () =>
      familySpaceView(c, result.family, { method: 'passkey', createdAt: now }),
    )
  })
