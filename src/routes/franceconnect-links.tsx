import { Hono } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { readForm, textField } from '../http/form'
import { deliverInBackground } from '../http/mail'
import { clearSessionCookie } from '../http/cookies'
import { isHtmx, nextStep, redirectTo, render } from '../http/respond'
import { unlinkFranceConnect } from '../services/flows/franceconnect'
import { signInStep } from '../views/login'
import { familySpaceView } from './family-space'
import { PATHS } from '../paths'

// « Délier » in the family space (docs/franceconnect.md): a full session removes one of its family's
// FranceConnect links; the family is mailed, the family's FranceConnect sessions end.
const SIGNED_OUT =
  'Cette session venait de FranceConnect : elle est fermée. Connectez-vous à nouveau, avec FranceConnect si un autre adulte y est relié, ou avec le numéro de famille et le mot de passe.'

const unlinkForm = z.object({
  link: z.pipe(z.pipe(textField(), z.transform(Number)), z.int().check(z.positive())),
})

export const franceConnectLinks = new Hono<AppEnv>().post('/suppression', async (c) => {
  const current = c.var.session
  if (current?.session.kind !== 'full') return redirectTo(c, PATHS.signIn)
  const { family, session } = current
  const form = unlinkForm.safeParse(await readForm(c))
  const unlinked = form.success
    ? await unlinkFranceConnect(
        c.var.db,
        c.var.config,
        { family, linkId: form.data.link, clientKey: c.var.clientKey },
        Date.now(),
      )
    : null
  if (!unlinked) {
    const alert = "Cette identité FranceConnect n'est plus reliée : elle a déjà été déliée."
    return render(c, { ...(await familySpaceView(c, family, session, { alert })), status: 422 })
  }
  deliverInBackground(c, async () => unlinked.mailId)
  const { givenName, familyName } = unlinked.adult
  const notice = `FranceConnect de ${givenName} ${familyName} est délié : cette identité ne permet plus de se connecter.`
  // Unlinking ends the family's FranceConnect sessions, this browser's too when it came that way:
  // it is told so on the sign-in step, rather than sent there without a word.
  if (session.method === 'franceconnect') {
    clearSessionCookie(c)
    const step = signInStep({
      identifierHelp: c.var.config.identifierHelp,
      franceConnect: true,
      notice: `${notice} ${SIGNED_OUT}`,
    })
    // htmx: the sign-in step at its address; a plain form: the same step in the answer (no session
    // is left to show the family space to, and the message must not be lost in a redirect).
    return isHtmx(c) ? nextStep(c, PATHS.signIn, () => step) : render(c, step)
  }
  return nextStep(c, PATHS.familySpace, () => familySpaceView(c, family, session, { notice }))
})
