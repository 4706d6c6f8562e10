import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { parseForm, readForm, textField } from '../http/form'
import { deliverInBackground } from '../http/mail'
import { nextStep, redirectTo, render } from '../http/respond'
import {
  addPasskey,
  canAddPasskey,
  dismissPasskeyOffer,
  removePasskey,
  startPasskeyRegistration,
} from '../services/flows/passkeys'
import { familySpaceView } from './family-space'
import { PATHS } from '../paths'

// docs/passkeys.md: a family signed in (a full session) adds, removes, or puts off its passkeys.
// Every answer is the family space, with what was done said at its top.

const NOT_CREATED =
  "La clé d'accès n'a pas pu être enregistrée. Réessayez ; votre mot de passe fonctionne toujours."
const SIGN_IN_AGAIN =
  "Pour ajouter une clé d'accès, reconnectez-vous : par sécurité, c'est possible pendant les 15 minutes qui suivent une connexion."
const TOO_MANY =
  "Vous avez déjà 10 clés d'accès, le maximum : supprimez-en une pour en ajouter une autre."

const registrationForm = z.object({
  client_data: textField(),
  attestation_object: textField(),
  // The family's own name for it: one line, no control characters, at most 60 characters.
  name: z.pipe(
    textField(),
    z.transform((name) =>
      name
        .replace(/[\p{Cc}\p{Cf}]/gu, '')
        .trim()
        .slice(0, 60),
    ),
  ),
})
const removalForm = z.object({ passkey: textField() })

const requireFullSession = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.session?.session.kind !== 'full') {
    // The passkey script reads JSON; a form gets the sign-in step.
    if (c.req.path === PATHS.passkeyOptions) return c.json({}, 401)
    return redirectTo(c, PATHS.signIn)
  }
  await next()
})

export const passkeys = new Hono<AppEnv>()
  .use(requireFullSession)
  // The options of navigator.credentials.create() (JSON: only the passkey script asks).
  .post('/defi', async (c) => {
    const { family, session } = c.var.session!
    const now = Date.now()
    if (!canAddPasskey(session.createdAt, now)) return c.json({}, 403)
    const options = await startPasskeyRegistration(c.var.db, c.var.config, family, now)
    return options ? c.json(options) : c.json({}, 409)
  })
  .post('/', async (c) => {
    const { db, config, clientKey } = c.var
    const { family, session } = c.var.session!
    const form = parseForm(registrationForm, await readForm(c))
    if (!canAddPasskey(session.createdAt, Date.now())) {
      const view = await familySpaceView(c, family, session, { alert: SIGN_IN_AGAIN })
      return render(c, { ...view, status: 422 })
    }
    const result = form.success
      ? await addPasskey(
          db,
          config,
          {
            family,
            clientKey,
            userAgent: c.req.header('User-Agent'),
            clientData: form.data.client_data,
            attestationObject: form.data.attestation_object,
            name: form.data.name,
          },
          Date.now(),
        )
      : ({ ok: false, reason: 'refused' } as const)
    if (!result.ok) {
      const alert = result.reason === 'too-many' ? TOO_MANY : NOT_CREATED
      return render(c, {
        ...(await familySpaceView(c, family, session, { alert })),
        status: 422,
      })
    }
    deliverInBackground(c, async () => result.mailId)
    const notice = `La clé d'accès « ${result.name} » est créée : la prochaine fois, choisissez-la sur la page de connexion. Un e-mail de confirmation vous est envoyé.`
    return nextStep(c, PATHS.familySpace, () => familySpaceView(c, family, session, { notice }))
  })
  .post('/suppression', async (c) => {
    const { db, config, clientKey } = c.var
    const { family, session } = c.var.session!
    const form = parseForm(removalForm, await readForm(c))
    const removed = form.success
      ? await removePasskey(
          db,
          config,
          { family, credentialId: form.data.passkey, clientKey },
          Date.now(),
        )
      : null
    if (!removed) {
      const alert = "Cette clé d'accès n'existe plus : elle a déjà été supprimée."
      return render(c, {
        ...(await familySpaceView(c, family, session, { alert })),
        status: 422,
      })
    }
    deliverInBackground(c, async () => removed.mailId)
    const notice = `La clé d'accès « ${removed.name} » est supprimée : elle ne permet plus de se connecter.`
    return nextStep(c, PATHS.familySpace, () => familySpaceView(c, family, session, { notice }))
  })
  .post('/plus-tard', async (c) => {
    const { family, session } = c.var.session!
    const now = Date.now()
    await dismissPasskeyOffer(c.var.db, family.id, now)
    const notice =
      "D'accord. Vous pourrez créer une clé d'accès quand vous le souhaitez, depuis cette page."
    return nextStep(c, PATHS.familySpace, () =>
      familySpaceView(c, { ...family, passkeyOfferDismissedAt: now }, session, { notice }),
    )
  })
