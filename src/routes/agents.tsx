import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { isFamilyNumber } from '../family-number'
import { readForm, textField } from '../http/form'
import { isLocalDevelopment } from '../http/loopback'
import { deliverInBackground } from '../http/mail'
import { isHtmx, render } from '../http/respond'
import { verifyAgent } from '../services/agent-access'
import { logJson } from '../services/logging'
import {
  blockedNetworks,
  endFamilySessions,
  liftNetworkLimits,
  voidFamilyTemporaryPassword,
  familyOverview,
  forgetFamilyDevices,
  lastFailures,
  liftFamilyLimits,
  requeueFailedNotice,
  searchFamilies,
} from '../services/flows/agents'
import { agentMailLimited, retryAfterMinutes } from '../services/limits'
import { outboxStats } from '../services/records/outbox-reads'
import { issueTemporaryPassword } from '../services/flows/password-recovery'
import { removePasskey } from '../services/flows/passkeys'
import { unlinkFranceConnect } from '../services/flows/franceconnect'
import { AGENT_ACTIONS, AGENTS_ROUTES, agentFamilyPath } from '../paths'
import { agentFamilyStep } from '../views/agents-family'
import { agentRefusedStep } from '../views/agents-refused'
import { agentMailStep } from '../views/agents-mail'
import { agentSearchStep } from '../views/agents-search'

// In development on this machine only, a fixed identity stands in, so `npm start` shows the console.
const DEVELOPMENT_AGENT = 'agent@example.org'

/**
 * Cloudflare Access, checked by the app itself: 403 for anything but a valid identity, with the reason
 * in the log (never the token) and a page that says what to check.
 */
const requireAgent = createMiddleware<AppEnv>(async (c, next) => {
  const { access } = c.var.config
  if (!access && isLocalDevelopment(c)) {
    c.set('agent', DEVELOPMENT_AGENT)
    return next()
  }
  const checked = access
    ? await verifyAgent(c.req.header('Cf-Access-Jwt-Assertion'), access)
    : { refused: 'ACCESS_TEAM_DOMAIN and ACCESS_AUD are not set' }
  if ('refused' in checked) {
    logJson('warn', 'agent_refused', { reason: checked.refused })
    const outside =
      'email' in checked && checked.email && access
        ? { email: checked.email, domains: access.emailDomains }
        : undefined
    return render(c, agentRefusedStep(outside))
  }
  c.set('agent', checked.agent.email)
  await next()
})

// A network is named by the HMAC its events carry (services/client-key.ts), never by an address.
const NETWORK_KEY = /^[0-9a-f]{64}$/
const passkeyField = z.object({ passkey: textField() })
const linkField = z.object({
  link: z.pipe(z.pipe(textField(), z.transform(Number)), z.int().check(z.positive())),
})
const mailField = z.object({
  mail: z.pipe(z.pipe(textField(), z.transform(Number)), z.int().check(z.positive())),
})

export const agents = new Hono<AppEnv>()
  .use(requireAgent)
  .get('/', async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 254)
    const page = Math.min(Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1), 10_000)
    const { db } = c.var
    const [results, networks] = await Promise.all([
      q ? searchFamilies(db, q, page) : null,
      blockedNetworks(db, Date.now()),
    ])
    // One family, and the agent asked for it: its page at once.
    const [only] = results?.total === 1 ? results.rows : []
    if (only) {
      const path = agentFamilyPath(only.familyNumber)
      if (!isHtmx(c)) return c.redirect(path, 303)
      c.header('HX-Location', JSON.stringify({ path, target: '#main' }))
      return c.body(null, 204)
    }
    return render(c, agentSearchStep({ agent: c.var.agent!, q, results, networks }))
  })
  .post(`${AGENTS_ROUTES.networks}/:network/${AGENT_ACTIONS.liftLimits}`, async (c) => {
    const { db } = c.var
    const network = c.req.param('network')
    if (!NETWORK_KEY.test(network)) throw new HTTPException(404)
    await liftNetworkLimits(db, network, c.var.agent!)
    return render(
      c,
      agentSearchStep({
        agent: c.var.agent!,
        q: '',
        results: null,
        networks: await blockedNetworks(db, Date.now()),
        notice: `Les limites du réseau ${network.slice(0, 12)} sont levées.`,
      }),
    )
  })
  .get(AGENTS_ROUTES.mail, async (c) => {
    const { db } = c.var
    const [stats, failures] = await Promise.all([outboxStats(db, Date.now()), lastFailures(db)])
    return render(c, agentMailStep({ agent: c.var.agent!, stats, failures }))
  })
  .get(`${AGENTS_ROUTES.families}/:number`, async (c) => {
    const overview = await overviewOr404(c.var.db, c.req.param('number'))
    return render(c, agentFamilyStep({ agent: c.var.agent!, overview }))
  })
  .post(`${AGENTS_ROUTES.families}/:number/:action`, async (c) => {
    const { db, config } = c.var
    const agent = c.var.agent!
    const now = Date.now()
    const { family } = await overviewOr404(db, c.req.param('number'))
    let notice: string
    switch (c.req.param('action')) {
      case AGENT_ACTIONS.sendTemporaryPassword: {
        const { email } = family
        if (!email) throw new HTTPException(404)
        if (family.closedAt !== null) {
          notice = `L’accès de cette famille est fermé (absente du dernier import de la commune) : elle ne peut pas se connecter. Il sera rouvert par un import qui la contient.`
          break
        }
        const limited = await agentMailLimited(db, family.familyNumber, c.var.clientKey, now)
        if (limited) {
          const minutes = retryAfterMinutes(limited.retryAfterMs)
          notice = `Trois mots de passe temporaires ont déjà été envoyés à cette famille dans l’heure : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`
          break
        }
        // The same service and outbox as the public flow, inside the hourly budget (a trusted
        // request: it goes first); the agent never sees the password.
        deliverInBackground(c, () =>
          issueTemporaryPassword(
            db,
            config,
            { ...family, email },
            {
              clientKey: null,
              detail: `issued by agent ${agent}`,
              mail: { inBudget: true, priority: 1 },
            },
            now,
          ),
        )
        notice = `Un mot de passe temporaire part vers ${email} ; il est valable ${config.temporaryPasswordTtlMs / 60_000} minutes.`
        break
      }
      case AGENT_ACTIONS.endSessions: {
        const ended = await endFamilySessions(db, family.id, agent)
        notice = `${ended} session(s) fermée(s) ; le mot de passe temporaire en cours, s’il y en avait un, est annulé.`
        break
      }
      case AGENT_ACTIONS.voidTemporaryPassword: {
        const voided = await voidFamilyTemporaryPassword(db, family.id, agent)
        notice = voided
          ? 'Le mot de passe temporaire est annulé : il ne permet plus de se connecter.'
          : 'Cette famille n’avait pas de mot de passe temporaire.'
        break
      }
      case AGENT_ACTIONS.forgetDevices: {
        const forgotten = await forgetFamilyDevices(db, family.id, agent)
        notice = `${forgotten} appareil(s) oublié(s) : ils devront se reconnecter comme des appareils inconnus.`
        break
      }
      case AGENT_ACTIONS.removePasskey: {
        const form = passkeyField.safeParse(await readForm(c))
        const removed = form.success
          ? await removePasskey(
              db,
              config,
              { family, credentialId: form.data.passkey, clientKey: null, agent },
              now,
            )
          : null
        if (removed) deliverInBackground(c, async () => removed.mailId)
        notice = removed
          ? `La clé d’accès « ${removed.name} » est supprimée ; la famille en est avertie par e-mail.`
          : 'Cette clé d’accès n’existe plus.'
        break
      }
      case AGENT_ACTIONS.unlinkFranceConnect: {
        const form = linkField.safeParse(await readForm(c))
        const unlinked = form.success
          ? await unlinkFranceConnect(
              db,
              config,
              { family, linkId: form.data.link, clientKey: null, agent },
              now,
            )
          : null
        if (unlinked) deliverInBackground(c, async () => unlinked.mailId)
        notice = unlinked
          ? `FranceConnect de ${unlinked.adult.givenName} ${unlinked.adult.familyName} est délié ; la famille en est avertie par e-mail.`
          : 'Cette identité FranceConnect n’est plus reliée.'
        break
      }
      case AGENT_ACTIONS.liftLimits:
        await liftFamilyLimits(db, family, agent)
        notice = 'Les limites de ce numéro sont levées.'
        break
      case AGENT_ACTIONS.resendNotice: {
        const form = mailField.safeParse(await readForm(c))
        const requeued =
          form.success &&
          (await requeueFailedNotice(
            db,
            { familyId: family.id, mailId: form.data.mail },
            agent,
            now,
          ))
        notice = requeued
          ? 'L’avis de changement de mot de passe est remis en file ; le prochain passage du cron l’enverra.'
          : 'Cet avis ne peut pas être renvoyé (il n’est pas en échec, ou son contenu a expiré).'
        break
      }
      default:
        throw new HTTPException(404)
    }
    const overview = await overviewOr404(db, family.familyNumber)
    return render(c, agentFamilyStep({ agent, overview, notice }))
  })

async function overviewOr404(db: AppEnv['Variables']['db'], familyNumber: string) {
  const overview = isFamilyNumber(familyNumber)
    ? await familyOverview(db, familyNumber, Date.now())
    : null
  if (!overview) throw new HTTPException(404)
  return overview
}
