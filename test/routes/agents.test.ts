import { and, eq, isNotNull } from 'drizzle-orm'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { FOLDS } from '../../src/db/fold'
import { outbox, securityEvents, sessions } from '../../src/db/schema'
import { FakeAccessTeam, newKeyPair } from '../support/access'
import {
  createFamily,
  db,
  post,
  queueNotice,
  readable,
  send,
  snapshotDatabase,
  temporaryPasswordFromMail,
  textOf,
  Visitor,
  sendAsAgent,
  postAsAgent,
} from '../support/helpers'
import { signedInFamily, signedInWithTemporaryPassword } from '../support/signed-in'

// The agents' console (docs/agents-console.md) behind Cloudflare Access, checked by the app itself.
let team: FakeAccessTeam

beforeAll(async () => {
  team = await new FakeAccessTeam().publish()
})

const asAgent = (path: string, options: Parameters<typeof send>[1] = {}) =>
  sendAsAgent(team, path, options)

/** Where a search leads: a lone match's own page (303), or the list of results. */
async function searchLeadsTo(q: string) {
  const response = await asAgent(`/agents?q=${encodeURIComponent(q)}`)
  if (response.status === 303) return `303 ${response.headers.get('location')}`
  return textOf(response)
}

/** The family's journal rows (agents' actions), oldest first. */
const journalOf = (familyId: number) =>
  db
    .select({
      agent: securityEvents.agent,
      action: securityEvents.action,
      detail: securityEvents.detail,
    })
    .from(securityEvents)
    .where(and(eq(securityEvents.familyId, familyId), isNotNull(securityEvents.agent)))
    .orderBy(securityEvents.id)

describe('access to /agents', () => {
  it('refuses a valid Access identity outside AGENT_EMAIL_DOMAINS, saying which addresses it takes', async () => {
    const env = team.env({ AGENT_EMAIL_DOMAINS: 'ville-exemple.fr, mairie-exemple.fr' })
    const as = async (email: string) =>
      send('/agents', { env, headers: { 'Cf-Access-Jwt-Assertion': await team.token({ email }) } })
    const outside = await as('quelquun@gmail.com')
    expect(outside.status).toBe(403)
    const text = await textOf(outside)
    expect(text).toContain('Vous êtes identifié comme quelquun@gmail.com')
    expect(text).toContain('@ville-exemple.fr, @mairie-exemple.fr')
    // A look-alike that merely ends with the domain is another domain.
    expect((await as('agent@faux-ville-exemple.fr')).status).toBe(403)
    expect((await as('agent.enfance@ville-exemple.fr')).status).toBe(200)
    expect((await as('Agent@Mairie-Exemple.FR')).status).toBe(200)
    // Without the setting, any identity Access lets through is an agent.
    const open = await send('/agents', {
      env: team.env(),
      headers: { 'Cf-Access-Jwt-Assertion': await team.token({ email: 'quelquun@gmail.com' }) },
    })
    expect(open.status).toBe(200)
  })

  it('refuses with 403, and touches nothing: no token, another key, another audience, expired', async () => {
    const family = await createFamily()
    const otherKey = (await newKeyPair()).privateKey
    const now = Math.floor(Date.now() / 1000)
    const tokens: Array<[string, string | undefined]> = [
      ['no token', undefined],
      ['signed by another key', await team.token({}, otherKey)],
      ['another audience', await team.token({ aud: ['someone-else'] })],
      ['another issuer', await team.token({ iss: 'https://other.access.test' })],
      ['expired', await team.token({ exp: now - 60, iat: now - 700, nbf: now - 700 })],
      ['garbage', 'a.b.c'],
    ]
    const before = await snapshotDatabase()
    for (const [label, token] of tokens) {
      const headers: Record<string, string> = token ? { 'Cf-Access-Jwt-Assertion': token } : {}
      for (const [method, path] of [
        ['GET', '/agents'],
        ['GET', `/agents/familles/${family.familyNumber}`],
        ['POST', `/agents/familles/${family.familyNumber}/fin-des-sessions`],
        ['POST', `/agents/familles/${family.familyNumber}/mot-de-passe-temporaire`],
      ] as const) {
        const response = await send(path, {
          method,
          env: team.env(),
          headers,
          form: method === 'POST' ? {} : undefined,
        })
        expect(response.status, `${label}: ${method} ${path}`).toBe(403)
        expect(await response.text()).not.toContain(family.email!)
      }
    }
    expect(await snapshotDatabase()).toEqual(before)
  })

  it('refuses without Access configured, outside development on loopback', async () => {
    const response = await send('/agents', { env: { ENVIRONMENT: 'test' } })
    expect(response.status).toBe(403)
  })

  it('lets a development server on loopback in as agent@example.org', async () => {
    const response = await send('/agents')
    expect(response.status).toBe(200)
    expect(await textOf(response)).toContain('Connecté en tant que agent@example.org')
  })

  it('holds AGENT_EMAIL_DOMAINS against that stand-in too, so development shows the refusal', async () => {
    const response = await send('/agents', { env: { AGENT_EMAIL_DOMAINS: 'ville-exemple.fr' } })
    expect(response.status).toBe(403)
    expect(await textOf(response)).toContain(
      'Vous êtes identifié comme agent@example.org : la console n’est ouverte qu’aux adresses professionnelles de la commune (@ville-exemple.fr)',
    )
  })
})

describe("the Access token and the team's certs", () => {
  const asAgentOf = async (access: FakeAccessTeam, token?: string) =>
    send('/agents', {
      env: access.env(),
      headers: { 'Cf-Access-Jwt-Assertion': token ?? (await access.token()) },
    })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('refuses a token without an expiry, however valid its signature', async () => {
    const response = await asAgentOf(team, await team.token({ exp: undefined }))
    expect(response.status).toBe(403)
  })

  it('refuses with a page that says what to check, and logs why (never the token)', async () => {
    const logged: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)))
    const token = await team.token({ aud: 'another-application' })
    const response = await asAgentOf(team, token)
    vi.restoreAllMocks()
    expect(response.status).toBe(403)
    const text = await textOf(response)
    expect(text).toContain('Accès refusé')
    expect(text).toContain('ACCESS_AUD')
    const refusal = logged.find((line) => line.includes('"agent_refused"'))
    expect(refusal).toContain('"reason":"audience is not ACCESS_AUD"')
    expect(logged.join('\n')).not.toContain(token)
    expect(text).not.toContain('audience is not')
  })

  it('fetches the certs once, whatever the concurrent requests and the unknown key ids strangers send', async () => {
    const fresh = await new FakeAccessTeam().publish()
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => (await asAgentOf(fresh)).status),
    )
    expect(statuses).toEqual([200, 200, 200, 200, 200])
    const strangerKey = (await newKeyPair()).privateKey
    for (let i = 0; i < 10; i++) {
      const forged = await fresh.token({}, strangerKey, crypto.randomUUID())
      expect((await asAgentOf(fresh, forged)).status).toBe(403)
    }
    expect(await fresh.certFetches()).toBe(1)
  })

  it('takes a rotated key, at most one fetch a minute later', async () => {
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    const rotating = await new FakeAccessTeam().publish()
    expect((await asAgentOf(rotating)).status).toBe(200)
    await rotating.rotate()
    vi.setSystemTime(start + 10_000)
    expect((await asAgentOf(rotating)).status).toBe(403)
    expect(await rotating.certFetches()).toBe(1)
    vi.setSystemTime(start + 61_000)
    expect((await asAgentOf(rotating)).status).toBe(200)
    expect(await rotating.certFetches()).toBe(2)
  })

  it('refuses within seconds when Access does not answer', async () => {
    const silent = await new FakeAccessTeam().publish()
    await silent.hang()
    const started = Date.now()
    expect((await asAgentOf(silent)).status).toBe(403)
    expect(Date.now() - started).toBeLessThan(8_000)
  }, 15_000)
})

describe('the console', () => {
  it("says the family's state in plain words first, and what it has not yet had", async () => {
    const state = async (familyNumber: string) => {
      const text = await textOf(await asAgent(`/agents/familles/${familyNumber}`))
      return text.slice(0, text.indexOf('Numéro de famille'))
    }
    const fresh = await createFamily({ password: 'Soleil2026' })
    expect(await state(fresh.familyNumber)).toContain('Peut se connecter.')
    const page = await textOf(await asAgent(`/agents/familles/${fresh.familyNumber}`))
    expect(page).toContain('Aucun e-mail envoyé.')
    expect(page).toContain('Aucun événement enregistré.')

    const never = await createFamily()
    expect(await state(never.familyNumber)).toContain('N’a pas encore choisi de mot de passe')
    await post('/mot-de-passe-oublie', { identifier: never.familyNumber })
    expect(await state(never.familyNumber)).toMatch(
      /Mot de passe temporaire envoyé à \d{1,2} h \d{2}, valable jusqu’à \d{1,2} h \d{2}\./,
    )

    const blocked = await createFamily({ password: 'Soleil2026' })
    for (let i = 0; i < 6; i++) {
      await post('/connexion', { identifier: blocked.familyNumber, password: `Faux-${i}-2026` })
    }
    expect(await state(blocked.familyNumber)).toMatch(
      /Bloquée pour les appareils inconnus jusqu’à \d{1,2} h \d{2}\./,
    )

    await db.run(`update families set closed_at = ${Date.now()} where id = ${fresh.id}` as never)
    expect(await state(fresh.familyNumber)).toContain('Fermée le')
  })

  it('finds a family by number, name or e-mail', async () => {
    const family = await createFamily({ lastName: 'ZÉBULON' })
    for (const q of [family.familyNumber.slice(0, 9), 'zébulon', family.email!.toUpperCase()]) {
      expect(await searchLeadsTo(q), q).toContain(family.familyNumber)
    }
  })

  it('folds every letter of db/fold.ts alike in the database (migration 0009) and in the query', async () => {
    const tag = crypto.randomUUID().slice(0, 6).toUpperCase()
    const family = await createFamily({ lastName: `${tag}${FOLDS.map(([from]) => from).join('')}` })
    const folded = `${tag.toLowerCase()}${FOLDS.map(([, to]) => to).join('')}`
    expect(await searchLeadsTo(folded)).toContain(family.familyNumber)
  })

  it('finds a name whatever its accents and case, as « NOM Prénom »', async () => {
    const tag = crypto.randomUUID().slice(0, 6).toUpperCase()
    const zoe = await createFamily({ lastName: `LEFÈVRE-${tag}`, firstName: 'Zoé' })
    const heart = await createFamily({ lastName: `D’ALMEIDA-CŒUR-${tag}`, firstName: 'Anaïs' })
    for (const q of [`lefevre-${tag}`, `LEFEVRE-${tag} ZOE`, `Lefèvre-${tag.toLowerCase()} zoé`]) {
      const found = await searchLeadsTo(q)
      expect(found, q).toContain(zoe.familyNumber)
      expect(found, q).not.toContain(heart.familyNumber)
    }
    for (const q of [`d'almeida-coeur-${tag}`, `D’ALMEIDA-CŒUR-${tag} ANAIS`, `dalmeida`]) {
      const found = await searchLeadsTo(q)
      if (q === 'dalmeida') expect(found, q).not.toContain(heart.familyNumber)
      else expect(found, q).toContain(heart.familyNumber)
    }
  })

  it('pages results by 50 with the total, finds a number by its end, and opens a lone match at once', async () => {
    const name = `PAGE${crypto.randomUUID().slice(0, 6).toUpperCase()}`
    const made = []
    for (let i = 0; i < 53; i++) made.push(await createFamily({ lastName: name }))
    const first = await textOf(await asAgent(`/agents?q=${name}`))
    expect(first).toContain('53 familles · page 1 sur 2')
    expect(first).toContain('Page suivante')
    expect(made.filter((family) => first.includes(family.familyNumber))).toHaveLength(50)
    const second = await textOf(await asAgent(`/agents?q=${name}&page=2`))
    expect(second).toContain('Page précédente')
    expect(made.filter((family) => second.includes(family.familyNumber))).toHaveLength(3)

    const lone = made[0]!
    expect(await searchLeadsTo(lone.familyNumber.slice(-7))).toContain(lone.familyNumber)
    const exact = await asAgent(`/agents?q=${lone.familyNumber}`)
    expect(exact.status).toBe(303)
    expect(exact.headers.get('location')).toBe(`/agents/familles/${lone.familyNumber}`)
  })

  it('finds a family by its whole e-mail address, however long', async () => {
    const email = `${'parent.'.repeat(6)}${crypto.randomUUID().slice(0, 6)}@example.org`
    expect(email).toHaveLength(60)
    const family = await createFamily({ email })
    for (const q of [email, email.toUpperCase(), ` ${email} `]) {
      expect(await searchLeadsTo(q), q).toContain(family.familyNumber)
    }
  })

  it('answers a search of any length, with no result when nothing matches', async () => {
    await createFamily()
    for (const q of [
      'x'.repeat(300),
      'é'.repeat(300),
      '9'.repeat(300),
      `${'a'.repeat(290)}@b.fr`,
    ]) {
      const response = await asAgent(`/agents?q=${encodeURIComponent(q)}`)
      expect(response.status, q.slice(0, 12)).toBe(200)
      expect(await textOf(response), q.slice(0, 12)).toContain('Aucune famille')
    }
  })

  it('finds a part of a name longer than a LIKE pattern may be, and only that part', async () => {
    const tail = crypto.randomUUID().slice(0, 8).toUpperCase()
    const family = await createFamily({
      lastName: `DE LA ROCHE-AUX-MOINES-SUR-LE-VIEUX-CANAL ${tail}`,
    })
    const found = await searchLeadsTo(`la roche-aux-moines-sur-le-vieux-canal ${tail}`)
    expect(found).toContain(family.familyNumber)
    const other = await searchLeadsTo(`la roche-aux-moines-sur-le-vieux-canal ${tail}ZZ`)
    expect(other).not.toContain(family.familyNumber)
  })

  it('matches %, _ and \\ as typed, not as wildcards', async () => {
    const percent = await createFamily({ lastName: 'CENT%POUR' })
    const underscore = await createFamily({ lastName: 'TRAIT_BAS' })
    const backslash = await createFamily({ lastName: 'OBLIQUE\\INVERSE' })
    const decoy = await createFamily({ lastName: 'TRAITXBAS CENTXPOUR OBLIQUEXINVERSE' })
    for (const [q, family] of [
      ['t%p', percent],
      ['t_b', underscore],
      ['e\\i', backslash],
    ] as const) {
      const text = await searchLeadsTo(q)
      expect(text, q).toContain(family.familyNumber)
      expect(text, q).not.toContain(decoy.familyNumber)
    }
    for (const q of ['%', '_', '%%']) {
      const text = await textOf(await asAgent(`/agents?q=${encodeURIComponent(q)}`))
      expect(text, q).not.toContain(decoy.familyNumber)
    }
  })

  it('shows the family: e-mail in full, password, sessions, limits, last mails without bodies, events', async () => {
    const { family } = await signedInWithTemporaryPassword()
    for (let i = 0; i < 6; i++) {
      await post('/connexion', { identifier: family.familyNumber, password: `Faux${i}Faux` })
    }
    const text = await textOf(await asAgent(`/agents/familles/${family.familyNumber}`))
    expect(text).toContain(family.email!)
    expect(text).toContain('pas encore choisi')
    expect(text).toMatch(/Sessions ouvertes 1/)
    expect(text).toContain('connexions depuis des appareils inconnus jusqu’au')
    expect(text).toContain('mot de passe temporaire')
    expect(text).toContain('connexion refusée')
    expect(text).not.toMatch(/Mot de passe : [0-9a-f]{32}/)
  })

  it('sends a temporary password through the usual outbox, never showing it, and records the agent', async () => {
    const family = await createFamily()
    const answer = await postAsAgent(
      team,
      `/agents/familles/${family.familyNumber}/mot-de-passe-temporaire`,
      { confirmation: 'oui' },
    )
    expect(answer.status).toBe(200)
    const page = await answer.text()
    expect(page).toContain('Un mot de passe temporaire part vers')
    const temporary = await temporaryPasswordFromMail(family.email!)
    expect(page).not.toContain(temporary)
    const signIn = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(signIn.headers.get('location')).toBe('/nouveau-mot-de-passe')
    expect(await journalOf(family.id)).toContainEqual({
      agent: 'agent.enfance@ville-exemple.fr',
      action: 'sendTemporaryPassword',
      detail: `envoyé à ${family.email}`,
    })
  })

  it('ends every session of the family and records the agent', async () => {
    const { family, browser } = await signedInFamily()
    const answer = await postAsAgent(
      team,
      `/agents/familles/${family.familyNumber}/fin-des-sessions`,
      { confirmation: 'oui' },
    )
    expect(await textOf(answer)).toContain('1 session(s) fermée(s)')
    expect(await db.select().from(sessions).where(eq(sessions.familyId, family.id))).toHaveLength(0)
    expect((await browser.get('/espace')).headers.get('location')).toBe('/connexion')
    expect(await journalOf(family.id)).toEqual([
      {
        agent: 'agent.enfance@ville-exemple.fr',
        action: 'endSessions',
        detail: '1 session(s) fermée(s)',
      },
    ])
  })

  it('lifts the limits on the number and records the agent', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    for (let i = 0; i < 6; i++) {
      await post('/connexion', { identifier: family.familyNumber, password: `Faux${i}Faux` })
    }
    expect(
      (await post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' }))
        .status,
    ).toBe(429)
    await postAsAgent(team, `/agents/familles/${family.familyNumber}/levee-des-limites`, {
      confirmation: 'oui',
    })
    const after = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(after.headers.get('location')).toBe('/espace')
    expect(await journalOf(family.id)).toEqual([
      { agent: 'agent.enfance@ville-exemple.fr', action: 'liftLimits', detail: 'limites levées' },
    ])
  })

  it('queues again a notice that failed, and only such a notice', async () => {
    const { family, browser } = await signedInWithTemporaryPassword()
    await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    const [notice] = await db
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, 'password_changed'), eq(outbox.familyId, family.id)))
    await db
      .update(outbox)
      .set({ status: 'failed', lastError: 'HTTP 400' })
      .where(eq(outbox.id, notice!.id))
    const path = `/agents/familles/${family.familyNumber}/renvoi-avis`
    const form = { mail: String(notice!.id), confirmation: 'oui' }
    const answer = await postAsAgent(team, path, form)
    expect(await textOf(answer)).toContain('remis en file')
    const row = (await db.select().from(outbox).where(eq(outbox.id, notice!.id)).get())!
    expect(row.status).toBe('pending')
    const again = await postAsAgent(team, path, form)
    expect(await textOf(again)).toContain('ne peut pas être renvoyé')
    expect(await journalOf(family.id)).toEqual([
      {
        agent: 'agent.enfance@ville-exemple.fr',
        action: 'resendNotice',
        detail: `avis ${notice!.id} remis en file`,
      },
      {
        agent: 'agent.enfance@ville-exemple.fr',
        action: 'resendNotice',
        detail: `avis ${notice!.id} ni en échec ni renvoyable`,
      },
    ])
  })

  it('shows the outbox at a glance: counts by status, the oldest wait, the last failures with their families', async () => {
    const family = await createFamily()
    const id = await queueNotice(family)
    await db
      .update(outbox)
      .set({ status: 'failed', attempts: 1, lastError: 'HTTP 400' })
      .where(eq(outbox.id, id))

    const html = await (await asAgent('/agents/courrier')).text()
    const text = readable(html)
    expect(text).toContain('en attente')
    expect(text).toContain('Plus ancien e-mail en attente')
    expect(text).toContain('Derniers échecs')
    expect(html).toContain(
      `<a href="/agents/familles/${family.familyNumber}">${family.familyNumber}</a>`,
    )
  })

  it('refuses a cross-site post, like the rest of the app', async () => {
    const family = await createFamily()
    const response = await asAgent(`/agents/familles/${family.familyNumber}/fin-des-sessions`, {
      method: 'POST',
      form: {},
      headers: { origin: 'https://evil.example' },
    })
    expect(response.status).toBe(403)
  })
})
