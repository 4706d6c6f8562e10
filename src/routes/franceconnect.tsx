import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import {
  clearFranceConnectLink,
  readDeviceCookie,
  readFranceConnectLink,
  readSessionCookie,
  setDeviceCookie,
  setFranceConnectIdToken,
  setFranceConnectLink,
  setFranceConnectState,
  setSessionCookie,
  takeFranceConnectState,
} from '../http/cookies'
import { familyNumberField, readForm, textField, typedText } from '../http/form'
import { tooManyAttempts, tooManySignIns } from '../http/limits'
import { deliverInBackground } from '../http/mail'
import { nextStep, render } from '../http/respond'
import {
  finishFranceConnect,
  franceConnectClient,
  linkWithCode,
  linkWithPassword,
  pendingIdentity,
  sendLinkCode,
  startFranceConnect,
  type LinkResult,
} from '../services/flows/franceconnect'
import { linkStep, type LinkFormProps } from '../views/franceconnect'
import { accessClosed, signInStep, type LoginFormProps } from '../views/login'
import { familySpaceView } from './family-space'
import { PATHS } from '../paths'

// « S'identifier avec FranceConnect » (docs/franceconnect.md): plain links and redirects, then the
// linking page for an identity no family has yet. 404 everywhere when FranceConnect is not configured.

const CANCELLED =
  'La connexion avec FranceConnect a été annulée. Vous pouvez vous connecter avec votre numéro de famille et votre mot de passe.'
const REFUSED =
  "La connexion avec FranceConnect n'a pas abouti. Réessayez, ou connectez-vous avec votre numéro de famille et votre mot de passe."
const LINK_EXPIRED =
  "Le délai pour relier FranceConnect est dépassé (15 minutes). Recommencez avec « S'identifier avec FranceConnect »."
const WRONG_CREDENTIALS = 'Identifiant ou mot de passe incorrect.'
const WRONG_CODE =
  "Ce code n'est pas le bon, ou il n'est plus valable (15 minutes, 5 essais). Vérifiez l'e-mail le plus récent, ou demandez un nouveau code."
const FULL =
  "Deux adultes ont déjà relié FranceConnect à cette famille, le maximum. Dans l'espace famille, « Délier » en libère une place."
const CODE_SENT =
  "Si ce numéro de famille est connu et a une adresse e-mail, un code vient d'y être envoyé. Il est valable 15 minutes."

const linkForm = z.object({
  identifier: textField(),
  password: textField(),
  code: textField(),
  action: textField(),
})

function signInPage(
  c: Context<AppEnv>,
  status: 200 | 400 | 403 | 422,
  props: Partial<LoginFormProps>,
) {
  const { config } = c.var
  return render(c, {
    ...signInStep({ identifierHelp: config.identifierHelp, franceConnect: true, ...props }),
    status,
  })
}

const clientOf = (c: Context<AppEnv>) => {
  const client = franceConnectClient(c.var.config)
  if (!client) throw new HTTPException(404)
  return client
}

export const franceConnect = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { state, url } = await startFranceConnect(c.var.db, clientOf(c), Date.now())
    setFranceConnectState(c, state)
    return c.redirect(url, 303)
  })
  .get('/retour', async (c) => {
    const { db, config, clientKey, clientNetworks } = c.var
    const client = clientOf(c)
    const result = await finishFranceConnect(
      db,
      config,
      client,
      {
        callback: new URL(c.req.url),
        state: takeFranceConnectState(c),
        clientKey,
        networks: clientNetworks,
        deviceCookie: readDeviceCookie(c),
        previousToken: readSessionCookie(c),
      },
      Date.now(),
    )
    switch (result.kind) {
      case 'signed-in':
        setSessionCookie(c, result.result.token)
        if (result.result.deviceToken) setDeviceCookie(c, result.result.deviceToken)
        setFranceConnectIdToken(c, result.idToken)
        return c.redirect(PATHS.familySpace, 303)
      case 'link':
        setFranceConnectLink(c, result.pendingToken)
        setFranceConnectIdToken(c, result.idToken)
        return c.redirect(PATHS.franceConnectLink, 303)
      case 'closed':
        return signInPage(c, 403, { alert: accessClosed(config.contactText) })
      case 'cancelled':
        return signInPage(c, 200, { notice: CANCELLED })
      case 'refused':
        return signInPage(c, 400, { alert: REFUSED })
    }
  })
  .get('/relier', async (c) => {
    clientOf(c)
    const pending = await pendingIdentity(c.var.db, readFranceConnectLink(c), Date.now())
    if (!pending) return signInPage(c, 200, { alert: LINK_EXPIRED })
    return render(c, linkStep({ adult: pending, identifierHelp: c.var.config.identifierHelp }))
  })
  .post('/relier', async (c) => {
    clientOf(c)
    const { db, config, clientKey, clientNetworks } = c.var
    const now = Date.now()
    const pendingToken = readFranceConnectLink(c)
    const pending = await pendingIdentity(db, pendingToken, now)
    if (!pending || !pendingToken) return signInPage(c, 422, { alert: LINK_EXPIRED })
    const body = await readForm(c)
    // Every field is text: the form always parses; each step checks what it needs.
    const data = linkForm.parse(body)
    const again: Again = (status, props) =>
      render(c, {
        ...linkStep({
          adult: pending,
          identifierHelp: config.identifierHelp,
          identifier: typedText(body, 'identifier'),
          ...props,
        }),
        status,
      })
    const client = {
      clientKey,
      networks: clientNetworks,
      deviceCookie: readDeviceCookie(c),
      previousToken: readSessionCookie(c),
    }

    // The code step: the family was chosen when the code was asked for.
    if (data.code.trim() !== '') {
      const code = data.code.replace(/\s/g, '')
      const result = await linkWithCode(db, config, { ...client, pendingToken, code }, now)
      if (!result.ok && result.reason === 'wrong-code') {
        return again(422, { codeSent: true, errors: { code: [WRONG_CODE] } })
      }
      return linked(c, result, (status, alert) => again(status, { codeSent: true, alert }))
    }

    const number = familyNumberField().safeParse(data.identifier)
    if (!number.success) {
      return again(422, { errors: { identifier: number.error.issues.map((i) => i.message) } })
    }
    const familyNumber = number.data
    if (data.action === 'code') {
      const sent = await sendLinkCode(db, config, { ...client, pendingToken, familyNumber }, now)
      if (!sent.ok && sent.reason === 'limited') {
        return again(429, { alert: tooManyAttempts(c, sent.retryAfterMs) })
      }
      if (!sent.ok) return signInPage(c, 422, { alert: LINK_EXPIRED })
      deliverInBackground(c, async () => sent.mailId)
      return again(200, { codeSent: true, identifier: familyNumber, notice: CODE_SENT })
    }
    if (data.password === '') {
      return again(422, { errors: { password: ['Saisissez votre mot de passe.'] } })
    }
    const result = await linkWithPassword(
      db,
      config,
      { ...client, pendingToken, familyNumber, password: data.password },
      now,
    )
    return linked(c, result, (status, alert) => again(status, { alert }))
  })

type Again = (
  status: 200 | 403 | 422 | 429 | 503,
  props: Partial<LinkFormProps>,
) => Promise<Response>

/** After a linking attempt: the family space, or what went wrong said on the linking page. */
async function linked(
  c: Context<AppEnv>,
  result: LinkResult,
  again: (status: 422 | 429 | 503, alert: string) => Promise<Response>,
) {
  const { config } = c.var
  if (result.ok) {
    clearFranceConnectLink(c)
    setSessionCookie(c, result.signedIn.token)
    if (result.signedIn.deviceToken) setDeviceCookie(c, result.signedIn.deviceToken)
    deliverInBackground(c, async () => result.mailId)
    return nextStep(c, PATHS.familySpace, () =>
      familySpaceView(c, result.signedIn.family, {
        method: 'franceconnect',
        createdAt: Date.now(),
      }),
    )
  }
  switch (result.reason) {
    case 'limited':
      return again(429, tooManyAttempts(c, result.retryAfterMs))
    case 'busy':
      return again(503, tooManySignIns(c))
    case 'closed':
      return signInPage(c, 403, { alert: accessClosed(config.contactText) })
    case 'full':
      return again(422, FULL)
    case 'expired':
      return signInPage(c, 422, { alert: LINK_EXPIRED })
    case 'wrong-code':
      return again(422, WRONG_CODE)
    case 'wrong-credentials':
      return again(422, WRONG_CREDENTIALS)
  }
}
