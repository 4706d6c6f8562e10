import { Hono } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../env'
import { familyNumberField, parseForm, readForm, typedText } from '../http/form'
import { tooManyAttempts } from '../http/limits'
import { render } from '../http/respond'
import { deliverInBackground } from '../http/mail'
import { countAttempt, limitKey } from '../services/rate-limits'
import { recordEventStatement } from '../services/security-events'
import { requestTemporaryPassword } from '../services/password-recovery'
import {
  FORGOT_PASSWORD_TITLE,
  ForgotPasswordForm,
  MAIL_SENT_TITLE,
  MailSentPanel,
  type ForgotPasswordFormProps,
} from '../views/forgot-password'

const forgotForm = z.object({ identifier: familyNumberField() })

const HOUR_MS = 3_600_000

export const forgotPassword = new Hono<AppEnv>()
  .get('/', (c) =>
    render(c, {
      title: FORGOT_PASSWORD_TITLE,
      body: <ForgotPasswordForm identifierHelp={c.var.config.identifierHelp} />,
    }),
  )
  .post('/', async (c) => {
    const { config, db, clientHash } = c.var
    const body = await readForm(c)
    const again = (status: 422 | 429, props: Partial<ForgotPasswordFormProps>) =>
      render(c, {
        title: FORGOT_PASSWORD_TITLE,
        status,
        body: (
          <ForgotPasswordForm
            identifierHelp={config.identifierHelp}
            identifier={typedText(body, 'identifier')}
            {...props}
          />
        ),
      })

    const form = parseForm(forgotForm, body)
    if (!form.success) return again(422, { errors: form.errors.identifier })
    const familyNumber = form.data.identifier
    const now = Date.now()
    const limit = { max: config.limits.mailsPerNumberPerHour, windowMs: HOUR_MS }
    const state = await countAttempt(db, limitKey('mail-number', familyNumber), limit, now)
    if (state.limited) {
      await recordEventStatement(db, {
        type: 'limit_reached',
        clientHash,
        detail: 'temporary password',
      })
      return again(429, { alert: tooManyAttempts(c, state.retryAfterMs) })
    }

    // OWASP Forgot Password cheat sheet: same answer, same time, whatever the number. Looking the
    // family up, issuing and mailing all happen after the answer has left.
    deliverInBackground(c, async () =>
      requestTemporaryPassword(db, config, { familyNumber, clientHash }, now),
    )
    return render(c, {
      title: MAIL_SENT_TITLE,
      body: <MailSentPanel ttlMinutes={config.temporaryPasswordTtlMs / 60_000} />,
    })
  })
