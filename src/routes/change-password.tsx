import { Hono, type Context } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import {
  clearSessionCookie,
  readDeviceCookie,
  setDeviceCookie,
  setPasswordSavedFlash,
} from '../http/cookies'
import { commonPasswords } from '../http/common-passwords'
import { parseForm, readForm, textField } from '../http/form'
import { tooManyAttempts, tooManySignIns } from '../http/limits'
import { deliverInBackground } from '../http/mail'
import { isHtmx, nextStep, redirectTo, render } from '../http/respond'
import { changePassword, hasErrors, passwordChangeErrors } from '../services/flows/password-change'
import { trustedDeviceId } from '../services/devices'
import { signInLimited } from '../services/limits'
import { changePasswordStep, type ChangePasswordFormProps } from '../views/change-password'
import { PASSWORD_SAVED, signInStep } from '../views/login'
import { PATHS } from '../paths'

const changeForm = z.object({
  current_password: textField(),
  new_password: textField(),
  confirmation: textField(),
  remove_passkeys: textField(),
})

const TEMPORARY_PASSWORD_GONE =
  "Ce mot de passe temporaire n'est plus valable (expiré, déjà utilisé ou remplacé par une demande plus récente). Demandez-en un nouveau avec « Mot de passe oublié »."

// A family on step 5 whose session ended (most often: it asked for another temporary password, which
// replaced this one) is told why, on the sign-in step, rather than silently sent there.
const SESSION_ENDED =
  "Votre session a pris fin : ce mot de passe temporaire n'est plus valable (expiré, déjà utilisé ou remplacé par une demande plus récente), ou la session a expiré. Connectez-vous avec le dernier mot de passe reçu, ou demandez-en un nouveau avec « Mot de passe oublié »."

function signInAgain(c: Context<AppEnv>, status: 200 | 422) {
  if (!c.var.sessionEnded) return redirectTo(c, PATHS.signIn)
  const identifierHelp = c.var.config.identifierHelp
  const franceConnect = c.var.config.franceConnect !== null
  return render(c, {
    ...signInStep({ identifierHelp, franceConnect, alert: SESSION_ENDED }),
    status,
  })
}

export const changePasswordRoute = new Hono<AppEnv>()
  .get('/', async (c) => {
    const current = c.var.session
    if (!current) return signInAgain(c, 200)
    return render(
      c,
      changePasswordStep({
        minLength: c.var.config.passwordMinLength,
        familyNumber: current.family.familyNumber,
        askCurrentPassword: current.session.kind === 'full',
        passkeyCount: current.passkeyCount,
      }),
    )
  })
  .post('/', async (c) => {
    const { config, db, clientKey, clientNetworks } = c.var
    const current = c.var.session
    if (!current) return signInAgain(c, 422)
    const parsed = parseForm(changeForm, await readForm(c))
    const removePasskeys = parsed.success && parsed.data.remove_passkeys === '1'
    const again = (status: 422 | 429 | 503, props: Partial<ChangePasswordFormProps>) =>
      render(c, {
        ...changePasswordStep({
          minLength: config.passwordMinLength,
          familyNumber: current.family.familyNumber,
          askCurrentPassword: current.session.kind === 'full',
          passkeyCount: current.passkeyCount,
          removePasskeys,
          ...props,
        }),
        status,
      })

    if (!parsed.success) return again(422, { errors: parsed.errors })
    const { current_password, new_password, confirmation } = parsed.data
    const form = {
      currentPassword: current_password,
      newPassword: new_password,
      confirmation,
      removePasskeys: removePasskeys && current.passkeyCount > 0,
    }
    const errors = passwordChangeErrors(config, current, form, await commonPasswords(c))
    if (hasErrors(errors)) return again(422, { errors })
    const now = Date.now()
    const { familyNumber } = current.family
    const deviceCookie = readDeviceCookie(c)
    // Asking for the current password must not become a way around the sign-in limits.
    const deviceId =
      current.session.kind === 'full'
        ? await trustedDeviceId(db, config.clientKeySecret, deviceCookie, familyNumber, now)
        : null
    const client = { familyNumber, clientKey, networks: clientNetworks, deviceId }
    if (current.session.kind === 'full') {
      const limited = await signInLimited(db, config, client, now)
      if (limited) return again(429, { alert: tooManyAttempts(c, limited.retryAfterMs) })
    }

    const result = await changePassword(db, config, current, form, client, now)
    if (!result.ok && result.reason === 'invalid') return again(422, { errors: result.errors })
    if (!result.ok && result.reason === 'busy') return again(503, { alert: tooManySignIns(c) })
    if (!result.ok && result.reason === 'session-gone') {
      clearSessionCookie(c)
      return redirectTo(c, PATHS.signIn)
    }
    if (!result.ok) return again(422, { alert: TEMPORARY_PASSWORD_GONE })

    deliverInBackground(c, async () => result.mailId)
    clearSessionCookie(c)
    setDeviceCookie(c, result.deviceToken)
    // Step 6: the sign-in step with the message and the number filled in; a plain form gets them on
    // the page it is redirected to, through a one-view cookie (never in the URL).
    if (!isHtmx(c)) setPasswordSavedFlash(c, familyNumber)
    return nextStep(c, PATHS.signIn, () =>
      signInStep({
        identifierHelp: config.identifierHelp,
        franceConnect: config.franceConnect !== null,
        identifier: familyNumber,
        notice: PASSWORD_SAVED,
      }),
    )
  })
