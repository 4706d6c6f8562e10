import { Hono } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import {
  readDeviceCookie,
  readSessionCookie,
  setDeviceCookie,
  setSessionCookie,
  takePasswordSavedFlash,
} from '../http/cookies'
import { familyNumberField, parseForm, readForm, textField, typedText } from '../http/form'
import { nextStep, redirectTo, render } from '../http/respond'
import { challengeAnswered, refusal } from '../http/challenge'
import { tooManySignIns } from '../http/limits'
import { signIn } from '../services/flows/sign-in'
import { changePasswordStep } from '../views/change-password'
import {
  accessClosed,
  PASSWORD_SAVED,
  signInStep,
  STILL_BY_MAIL,
  type LoginFormProps,
} from '../views/login'
import { familySpaceView } from './family-space'
import { PATHS } from '../paths'

const signInForm = z.object({
  identifier: familyNumberField(),
  password: textField().check(
    z.refine((value) => value.length > 0, 'Saisissez votre mot de passe.'),
  ),
})

// The same words whatever went wrong (unknown number, wrong or expired password): the hint about
// temporary passwords helps a family without telling anyone which case it was.
const WRONG_CREDENTIALS =
  "Identifiant ou mot de passe incorrect. Un mot de passe temporaire n'est valable que peu de temps et pour un seul changement : au besoin, demandez-en un nouveau avec « Mot de passe oublié »."
export const login = new Hono<AppEnv>()
  .get('/', async (c) => {
    const current = c.var.session
    if (current?.session.kind === 'full') return redirectTo(c, PATHS.familySpace)
    const savedFor = takePasswordSavedFlash(c)
    return render(
      c,
      signInStep({
        identifierHelp: c.var.config.identifierHelp,
        franceConnect: c.var.config.franceConnect !== null,
        identifier: savedFor ?? undefined,
        notice: savedFor ? PASSWORD_SAVED : undefined,
        requestPending: current?.session.kind === 'restricted',
      }),
    )
  })
  .post('/', async (c) => {
    const { config, db, clientKey, clientNetworks } = c.var
    const body = await readForm(c)
    const again = (status: 403 | 422 | 429 | 503, props: Partial<LoginFormProps>) =>
      render(c, {
        ...signInStep({
          identifierHelp: config.identifierHelp,
          franceConnect: config.franceConnect !== null,
          identifier: typedText(body, 'identifier'),
          requestPending: c.var.session?.session.kind === 'restricted',
          ...props,
        }),
        status,
      })

    const form = parseForm(signInForm, body)
    if (!form.success) return again(422, { errors: form.errors })
    const familyNumber = form.data.identifier
    const now = Date.now()
    const challengeSolved = await challengeAnswered(c, body)
    const result = await signIn(
      db,
      config,
      {
        familyNumber,
        password: form.data.password,
        clientKey,
        networks: clientNetworks,
        deviceCookie: readDeviceCookie(c),
        challengeSolved,
        previousToken: readSessionCookie(c),
      },
      now,
    )
    if (!result.ok && result.reason === 'limited') {
      return again(429, refusal(c, result, ` ${STILL_BY_MAIL}`))
    }
    if (!result.ok && result.reason === 'busy') return again(503, { alert: tooManySignIns(c) })
    if (!result.ok && result.reason === 'closed') {
      return again(403, { alert: accessClosed(config.contactText) })
    }
    if (!result.ok) return again(422, { alert: WRONG_CREDENTIALS })

    setSessionCookie(c, result.token)
    if (result.deviceToken) setDeviceCookie(c, result.deviceToken)
    if (result.kind === 'restricted') {
      return nextStep(c, PATHS.newPassword, () =>
        changePasswordStep({
          minLength: config.passwordMinLength,
          familyNumber,
          askCurrentPassword: false,
        }),
      )
    }
    return nextStep(c, PATHS.familySpace, () =>
      familySpaceView(c, result.family, { method: 'password', createdAt: now }),
    )
  })
