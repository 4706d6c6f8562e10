import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { securityEvents, sessions } from '../../src/db/schema'
import { FakeAccessTeam } from '../support/access'
import {
  createFamily,
  db,
  queueNotice,
  readable,
  send,
  postAsAgent,
  sendAsAgent,
  snapshotDatabase,
  textOf,
  Visitor,
} from '../support/helpers'
import { FAMILY_PASSWORD, signedInFamily, signIn } from '../support/signed-in'

// The console as a desk tool (docs/agents-console.md): every action asked before it is done, then
// journalled with who did it; the desk's own layout; mails and events by pages.
let team: FakeAccessTeam
beforeAll(async () => {
  team = await new FakeAccessTeam().publish()
})

const AGENT = 'agent.enfance@ville-exemple.fr'
/** A request from `email` (the team's agent unless told), through Access. */
const as = async (path: string, options: Parameters<typeof send>[1] = {}, email = AGENT) =>
  sendAsAgent(team, path, {
    ...options,
    headers: { 'Cf-Access-Jwt-Assertion': await team.token({ email }), ...options.headers },
  })
const action = async (
  number: string,
  slug: string,
  form: Record<string, string> = {},
  email = AGENT,
) =>
  postAsAgent(team, `/agents/familles/${number}/${slug}`, form, {
    headers: { 'Cf-Access-Jwt-Assertion': await team.token({ email }) },
  })
const journal = async (query: Record<string, string>) =>
  readable(await (await as(`/agents/journal?${new URLSearchParams(query)}`)).text())

describe('an action is asked, then done', () => {
  it('asks « Fermer les 2 sessions de NOM Prénom ? », and changes nothing until it is confirmed', async () => {
    const { family } = await signedInFamily()
    await signIn(new Visitor(), family.familyNumber, FAMILY_PASSWORD, '/espace')
    const before = await snapshotDatabase()
    const asked = await action(family.familyNumber, 'fin-des-sessions')
    expect(asked.status).toBe(200)
    const text = await textOf(asked)
    expect(text).toContain(`Fermer les 2 sessions de ${family.lastName} ${family.firstName} ?`)
    expect(text).toContain('Confirmer')
    expect(text).toContain('Annuler')
    // Nothing changed, nothing journalled.
    expect(await snapshotDatabase()).toEqual(before)

    const done = await action(family.familyNumber, 'fin-des-sessions', { confirmation: 'oui' })
    expect(await textOf(done)).toContain('2 session(s) fermée(s)')
    expect(await db.select().from(sessions).where(eq(sessions.familyId, family.id))).toEqual([])
  })

  it('without JavaScript, answers a confirmed action by 303 to the family, where a reload acts no more', async () => {
    const { family } = await signedInFamily()
    const path = `/agents/familles/${family.familyNumber}`
    const posted = await as(`${path}/fin-des-sessions`, {
      method: 'POST',
      form: { confirmation: 'oui' },
    })
    expect(posted.status).toBe(303)
    expect(posted.headers.get('location')).toBe(path)
    const cookie = posted.headers.getSetCookie()[0]!.split(';')[0]!
    const shown = await textOf(await as(path, { cookie }))
    expect(shown).toContain('1 session(s) fermée(s).')
    // The notice is for that page only.
    expect(await textOf(await as('/agents', { cookie }))).not.toContain('session(s) fermée(s)')
    const rows = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.familyId, family.id))
    expect(rows.filter((row) => row.action === 'endSessions')).toHaveLength(1)
  })

  it('names the passkey, the adult or the devices it will remove, and says when the target is gone', async () => {
    const family = await createFamily()
    const gone = await action(family.familyNumber, 'suppression-cle-d-acces', { passkey: 'x' })
    expect(await textOf(gone)).toContain('Cette clé d’accès n’existe plus.')
    const noLink = await action(family.familyNumber, 'suppression-franceconnect', { link: '7' })
    expect(await textOf(noLink)).toContain('Cette identité FranceConnect n’est plus reliée.')
    const notANumber = await action(family.familyNumber, 'renvoi-avis', { mail: 'abc' })
    expect(notANumber.status).toBe(200)
    expect(await textOf(notANumber)).toContain('n’existe plus')
  })

  it('lifts a network’s limits only once confirmed', async () => {
    const network = 'ab'.repeat(32)
    const asked = await as(`/agents/reseaux/${network}/levee-des-limites`, { method: 'POST' })
    expect(await textOf(asked)).toContain(`Lever les limites du réseau ${network.slice(0, 12)} ?`)
    const rows = () => db.select().from(securityEvents).where(eq(securityEvents.clientKey, network))
    expect(await rows()).toEqual([])
    const lifted = await postAsAgent(team, `/agents/reseaux/${network}/levee-des-limites`, {
      confirmation: 'oui',
    })
    expect(await textOf(lifted)).toContain(
      `Les limites du réseau ${network.slice(0, 12)} sont levées.`,
    )
    expect((await rows()).map(({ agent, action }) => ({ agent, action }))).toEqual([
      { agent: AGENT, action: 'liftNetworkLimits' },
    ])
    expect(await journal({})).toContain(`réseau ${network.slice(0, 12)}`)
  })
})

describe('the journal', () => {
  it('lists each action with when, who, which family, what and its outcome, newest first', async () => {
    const { family } = await signedInFamily()
    const name = `${family.lastName} ${family.firstName}`
    const other = `autre.${crypto.randomUUID().slice(0, 6)}@ville-exemple.fr`
    await action(family.familyNumber, 'fin-des-sessions', { confirmation: 'oui' })
    await action(family.familyNumber, 'levee-des-limites', { confirmation: 'oui' }, other)
    const text = await journal({ famille: family.familyNumber })
    expect(text).toContain('2 actions')
    const lifted = text.indexOf(
      `${other} ${name} (${family.familyNumber}) limites du numéro levées`,
    )
    const ended = text.indexOf(
      `${AGENT} ${name} (${family.familyNumber}) sessions fermées 1 session(s) fermée(s)`,
    )
    expect(lifted).toBeGreaterThan(-1)
    expect(ended).toBeGreaterThan(lifted)

    const byOther = await journal({ agent: other })
    expect(byOther).toContain('1 action')
    expect(byOther).not.toContain('sessions fermées')
  })

  it('journals a refusal with its reason', async () => {
    const family = await createFamily()
    for (let i = 0; i < 4; i++) {
      await action(family.familyNumber, 'mot-de-passe-temporaire', { confirmation: 'oui' })
    }
    const text = await journal({ famille: family.familyNumber })
    expect(text).toContain('4 actions')
    expect(text).toContain('refusé : trois envois dans l’heure')
    expect(text.match(/envoyé à /g)).toHaveLength(3)
  })

  it('pages past 50 actions', async () => {
    const family = await createFamily()
    const agent = `pages.${crypto.randomUUID().slice(0, 6)}@ville-exemple.fr`
    for (let i = 0; i < 51; i++) {
      await action(family.familyNumber, 'levee-des-limites', { confirmation: 'oui' }, agent)
    }
    const first = await journal({ agent })
    expect(first).toContain('51 actions · page 1 sur 2')
    expect(first).toContain('Page suivante')
    const second = await journal({ agent, page: '2' })
    expect(second).toContain('Page précédente')
    expect(second.match(/limites du numéro levées/g)).toHaveLength(1)
    // A page past the last one says so, not that there is nothing.
    const past = await journal({ agent, page: '9' })
    expect(past).toContain('Cette page est au-delà de la dernière')
    expect(past).not.toContain('Aucune action')
  })

  it('says what is wrong with a family number, keeping what was typed', async () => {
    const response = await as('/agents/journal?famille=12345')
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(readable(html)).toContain('Le numéro de famille a 15 chiffres.')
    expect(html).toContain('value="12345"')
    const unknown = await as(`/agents/journal?famille=${'9'.repeat(15)}`)
    expect(readable(await unknown.text())).toContain('Aucune famille n’a ce numéro.')
    // One digit too many is told, never cut into another family's number.
    const family = await createFamily()
    const longer = await as(`/agents/journal?famille=${family.familyNumber}7`)
    expect(longer.status).toBe(422)
    expect(readable(await longer.text())).toContain('Le numéro de famille a 15 chiffres.')
  })
})

describe('the desk', () => {
  it('has its own header and no families’ footer', async () => {
    const html = await (await as('/agents')).text()
    const text = readable(html)
    expect(text).toContain('Console des agents')
    expect(text).toContain(`Connecté en tant que ${AGENT}`)
    expect(html).toMatch(/<a href="\/agents" aria-current="page">Rechercher<\/a>/)
    expect(html).toContain('<a href="/agents/courrier">Courrier</a>')
    expect(html).toContain('<a href="/agents/journal">Journal</a>')
    expect(html).not.toContain('<footer')
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/agents-[0-9a-f]{10}\.css"/)
    // Families never load the console's stylesheet.
    expect(await (await send('/connexion')).text()).not.toContain('/assets/agents-')
  })

  it('pages the family’s mails and events by 20, with an empty state for each', async () => {
    const empty = await createFamily()
    const none = await textOf(await as(`/agents/familles/${empty.familyNumber}`))
    expect(none).toContain('Aucun e-mail envoyé.')
    expect(none).toContain('Aucun événement enregistré.')

    const family = await createFamily()
    for (let i = 0; i < 21; i++) await queueNotice(family)
    for (let i = 0; i < 22; i++) {
      await action(family.familyNumber, 'levee-des-limites', { confirmation: 'oui' })
    }
    const first = await textOf(await as(`/agents/familles/${family.familyNumber}`))
    expect(first).toContain('21 e-mails · page 1 sur 2')
    expect(first).toContain('22 événements · page 1 sur 2')
    const later = await textOf(
      await as(`/agents/familles/${family.familyNumber}?e-mails=2&evenements=2`),
    )
    expect(later).toContain('21 e-mails · page 2 sur 2')
    expect(later).toContain('22 événements · page 2 sur 2')
  })
})
