import { Hono } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../env'
import { familyNumberField, parseForm, readForm, typedText } from '../http/form'
import { tooManyAttempts } from '../http/limits'
import { CHALLENGE_ALERT, challengeAnswered, challengeInstead } from '../http/challenge'
import { render } from '../http/respond'
import { deliverInBackground } from '../http/mail'
import { readDeviceCookie } from '../http/cookies'
import { trustedDeviceId } from '../services/devices'
import { mailRequestLimited } from '../services/limits'
import { requestTemporaryPassword } from '../services/password-recovery'
import {
  forgotPasswordStep,
  mailSentStep,
  type ForgotPasswordFormProps,
} from '../views/forgot-password'

const forgotForm = z.object({ identifier: familyNumberField() })

export const forgotPassword = new Hono<AppEnv>()
  .get('/', (c) => render(c, forgotPasswordStep({ identifierHelp: c.var.config.identifierHelp })))
  .post('/', async (c) => {
    const { config, db, clientKey, clientNetworks } = c.var
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
    const challengeSolved = await challengeAnswered(c, body)
    const limited = await mailRequestLimited(
      db,
      config,
      { subject: { familyNumber }, clientKey, networks: clientNetworks, challengeSolved },
      now,
    )
    if (limited) {
      const challenge = challengeInstead(c, limited)
      if (challenge) return again(429, { alert: CHALLENGE_ALERT, challenge })
      return again(429, { alert: tooManyAttempts(c, limited.retryAfterMs) })
    }
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
