import { Hono } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { parseForm, readForm, textField, typedText } from '../http/form'
import { refuseMailRequest } from '../http/challenge'
import { deliverInBackground } from '../http/mail'
import { render } from '../http/respond'
import { mailFamilyNumbers, normalizeEmail } from '../services/flows/family-number-recovery'
import {
  forgotNumberStep,
  numberSentStep,
  type ForgotNumberFormProps,
} from '../views/forgot-number'

// Anything shaped like an address gets the usual answer, plausible or not (its lookup finds nothing);
// only what is not an address at all is refused, with the rule.
const ADDRESS = /^[^\s@]+@[^\s@]+$/

const forgotNumberForm = z.object({
  email: z.pipe(textField(), z.transform(normalizeEmail)).check(
    z.refine((value) => value.length > 0, 'Saisissez votre adresse e-mail.'),
    z.refine(
      (value) => value.length === 0 || (value.length <= 254 && ADDRESS.test(value)),
      "Ce n'est pas une adresse e-mail : elle s'écrit comme nom@exemple.fr.",
    ),
  ),
})

export const forgotNumber = new Hono<AppEnv>()
  .get('/', (c) => render(c, forgotNumberStep()))
  .post('/', async (c) => {
    const { config, db, clientKey } = c.var
    const body = await readForm(c)
    const again = (status: 422 | 429, props: Partial<ForgotNumberFormProps>) =>
      render(c, { ...forgotNumberStep({ email: typedText(body, 'email'), ...props }), status })

    const form = parseForm(forgotNumberForm, body)
    if (!form.success) return again(422, { errors: form.errors.email })
    const { email } = form.data
    const now = Date.now()
    const refused = await refuseMailRequest(c, body, { email }, now)
    if (refused) return again(429, refused)

    // Same answer, same time, whatever the address: the lookup and the mails come after it.
    deliverInBackground(c, () => mailFamilyNumbers(db, config, { email, clientKey }, now))
    return render(c, numberSentStep())
  })
