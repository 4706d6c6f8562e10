import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../env'
import { isFamilyNumber } from '../family-number'
import { setAgentNotice, takeAgentNotice } from '../http/cookies'
import { readForm } from '../http/form'
import { isLocalDevelopment } from '../http/loopback'
import { isHtmx, render } from '../http/respond'
import { verifyAgent } from '../services/agent-access'
import { logJson } from '../services/logging'
import {
  agentJournal,
  blockedNetworks,
  familyOverview,
  lastFailures,
  liftNetworkLimits,
  searchFamilies,
} from '../services/flows/agents'
import { findFamilyByNumber } from '../services/records/families'
import { outboxStats } from '../services/records/outbox-reads'
import { AGENT_ACTIONS, AGENTS_ROUTES, agentFamilyPath, PATHS } from '../paths'
import { agentFamilyStep } from '../views/agents-family'
import { agentJournalStep } from '../views/agents-journal'
import { agentRefusedStep } from '../views/agents-refused'
import { agentMailStep } from '../views/agents-mail'
import { agentSearchStep } from '../views/agents-search'
import { isAgentAction, runFamilyAction } from './agents-actions'

// In development on this machine only, a fixed identity stands in, so `npm start` shows the console.
const DEVELOPMENT_AGENT = 'agent@example.org'

/**
 * Cloudflare Access, checked by the app itself: 403 for anything but a valid identity, with the reason
 * in the log (never the token) and a page that says what to check.
 */
const requireAgent = createMiddleware<AppEnv>(async (c, next) => {
  const { access, agentEmailDomains } = c.var.config
  if (!access && isLocalDevelopment(c)) {
    // AGENT_EMAIL_DOMAINS holds for the stand-in too, so a developer sees what an outsider sees.
    const domain = DEVELOPMENT_AGENT.split('@')[1]!
    if (agentEmailDomains.length > 0 && !agentEmailDomains.includes(domain)) {
      return render(c, agentRefusedStep({ email: DEVELOPMENT_AGENT, domains: agentEmailDomains }))
    }
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

/** A page number from the query: 1 unless it is a whole number from 1 to 10 000. */
const pageOf = (value: string | undefined) =>
  Math.min(Math.max(1, Number.parseInt(value ?? '1', 10) || 1), 10_000)

export const agents = new Hono<AppEnv>()
  .use(requireAgent)
  .get('/', async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 254)
    const { db } = c.var
    const [results, networks] = await Promise.all([
      q ? searchFamilies(db, q, pageOf(c.req.query('page'))) : null,
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
    const notice = q ? undefined : takeAgentNotice(c, PATHS.agents)
    return render(c, agentSearchStep({ agent: c.var.agent!, q, results, networks, notice }))
  })
  .post(`${AGENTS_ROUTES.networks}/:network/${AGENT_ACTIONS.liftLimits}`, async (c) => {
    const { db } = c.var
    const network = c.req.param('network')
    if (!NETWORK_KEY.test(network)) throw new HTTPException(404)
    const confirmed = (await readForm(c)).confirmation === 'oui'
    if (confirmed) await liftNetworkLimits(db, network, { agent: c.var.agent! })
    const notice = `Les limites du réseau ${network.slice(0, 12)} sont levées.`
    if (confirmed && !isHtmx(c)) {
      setAgentNotice(c, PATHS.agents, notice)
      return c.redirect(PATHS.agents, 303)
    }
    return render(
      c,
      agentSearchStep({
        agent: c.var.agent!,
        q: '',
        results: null,
        networks: await blockedNetworks(db, Date.now()),
        ...(confirmed ? { notice } : { pending: network }),
      }),
    )
  })
  .get(AGENTS_ROUTES.mail, async (c) => {
    const { db } = c.var
    const [stats, failures] = await Promise.all([outboxStats(db, Date.now()), lastFailures(db)])
    return render(c, agentMailStep({ agent: c.var.agent!, stats, failures }))
  })
  .get(AGENTS_ROUTES.journal, async (c) => {
    const { db } = c.var
    const filter = {
      agent: (c.req.query('agent') ?? '').trim().slice(0, 254),
      // Whole, so a mistyped 16th digit is told, not cut into another family's number.
      famille: (c.req.query('famille') ?? '').replace(/\s/g, '').slice(0, 64),
    }
    const page = pageOf(c.req.query('page'))
    let familyId: number | undefined
    let error: string | undefined
    if (filter.famille) {
      const family = isFamilyNumber(filter.famille)
        ? await findFamilyByNumber(db, filter.famille)
        : null
      if (family) familyId = family.id
      else
        error = isFamilyNumber(filter.famille)
          ? 'Aucune famille n’a ce numéro.'
          : 'Le numéro de famille a 15 chiffres.'
    }
    // A number that is no family's filters everything out (id -1 is none), the form keeping it.
    const journal = await agentJournal(
      db,
      { agent: filter.agent || undefined, familyId: error ? -1 : familyId },
      page,
    )
    return render(c, agentJournalStep({ agent: c.var.agent!, filter, error, journal }))
  })
  .get(`${AGENTS_ROUTES.families}/:number`, async (c) => {
    const overview = await overviewOr404(c.var.db, c.req.param('number'), {
      mails: pageOf(c.req.query('e-mails')),
      events: pageOf(c.req.query('evenements')),
    })
    const notice = takeAgentNotice(c, agentFamilyPath(overview.family.familyNumber))
    return render(c, agentFamilyStep(c.var.agent!, { overview, notice }))
  })
  .post(`${AGENTS_ROUTES.families}/:number/:action`, async (c) => {
    const { db } = c.var
    const slug = c.req.param('action')
    const action = Object.entries(AGENT_ACTIONS).find(([, value]) => value === slug)?.[0]
    if (!action || !isAgentAction(action)) throw new HTTPException(404)
    const overview = await overviewOr404(db, c.req.param('number'))
    const by = { agent: c.var.agent! }
    const outcome = await runFamilyAction(
      { c, overview, by, now: Date.now() },
      action,
      await readForm(c),
    )
    if ('pending' in outcome) return render(c, agentFamilyStep(by.agent, { overview, ...outcome }))
    // Done without JavaScript: post, redirect, get, so a reload shows the page and acts no more.
    const path = agentFamilyPath(overview.family.familyNumber)
    if (outcome.acted && !isHtmx(c)) {
      setAgentNotice(c, path, outcome.notice)
      return c.redirect(path, 303)
    }
    const after = await overviewOr404(db, overview.family.familyNumber)
    return render(c, agentFamilyStep(by.agent, { overview: after, notice: outcome.notice }))
  })

async function overviewOr404(
  db: AppEnv['Variables']['db'],
  familyNumber: string,
  pages?: { mails: number; events: number },
) {
  const overview = isFamilyNumber(familyNumber)
    ? await familyOverview(db, familyNumber, Date.now(), pages)
    : null
  if (!overview) throw new HTTPException(404)
  return overview
}
