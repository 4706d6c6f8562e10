import { Hono } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { familyNumberField, parseForm, readForm, typedText } from '../http/form'
import { refuseMailRequest } from '../http/challenge'
import { render } from '../http/respond'
import { deliverInBackground } from '../http/mail'
import { readDeviceCookie } from '../http/cookies'
import { trustedDeviceId } from '../services/devices'
import { requestTemporaryPassword } from '../services/flows/password-recovery'
import {
  forgotPasswordStep,
  mailSentStep,
  type ForgotPasswordFormProps,
} from '../views/forgot-password'

const forgotForm = z.object({ identifier: familyNumberField() })

export const forgotPassword = new Hono<AppEnv>()
  .get('/', (c) => render(c, forgotPasswordStep({ identifierHelp: c.var.config.identifierHelp })))
  .post('/', async (c) => {
    const { config, db, clientKey } = c.var
    const body = await readForm(c)
    const again = (status: 422 | 429, props: Partial<ForgotPasswordFormProps>) =>
      render(c, {
        ...forgotPasswordStep({
          identifierHelp: config.identifierHelp,
          identifier: typedText(body, 'identifier'),
          ...props,
        }),
        status,
      })

    const form = parseForm(forgotForm, body)
    if (!form.success) return again(422, { errors: form.errors.identifier })
    const familyNumber = form.data.identifier
    const now = Date.now()
    const refused = await refuseMailRequest(c, body, { familyNumber }, now)
    if (refused) return again(429, refused)
    const deviceCookie = readDeviceCookie(c)

    // OWASP Forgot Password cheat sheet: same answer, same time, whatever the number. The device
    // check, the lookup, the spacing, the issuing and the mail all happen after the answer has left.
    deliverInBackground(c, async () => {
      const secret = config.clientKeySecret
      const device = await trustedDeviceId(db, secret, deviceCookie, familyNumber, now)
      const input = { familyNumber, clientKey, trusted: device !== null }
      return requestTemporaryPassword(db, config, input, now)
    })
    return render(c, mailSentStep(config.temporaryPasswordTtlMs / 60_000))
  })
