import { env } from 'cloudflare:workers'
import { and, eq, sql } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import { outbox, securityEvents } from '../../src/db/schema'
import { FAMILIES_LISTED_PER_MAIL } from '../../src/services/flows/family-number-recovery'
import {
  clientKeyOf,
  createFamily,
  db,
  post,
  readable,
  send,
  snapshotDatabase,
  testConfig,
  textOf,
  Visitor,
  withoutNonces,
} from '../support/helpers'
import { FakeMailApi } from '../support/mail-api'

// A family that lost its number gets it back at the address on file (docs/family-number-recovery.md).

async function answerFor(email: string, options: { env?: Record<string, unknown> } = {}) {
  const response = await post('/numero-oublie', { email }, options)
  const headers = [...response.headers]
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${withoutNonces(value)}`)
  return { status: response.status, headers, body: withoutNonces(await response.text()) }
}

const numbersInMail = (text: string | null) =>
  [...(text ?? '').matchAll(/- Login : (\d{15})/g)].map((match) => match[1]!)

/** The mails the fake provider accepted for `to`, as the family reads them. */
async function mailsReceived(api: FakeMailApi, to: string) {
  return (await api.received())
    .filter((request) => typeof request.reply === 'number' && request.reply < 300)
    .map((request) => JSON.parse(request.body))
    .filter((body) => body.to[0].email === to)
    .map((body) => ({ subject: body.subject, text: body.textContent, html: body.htmlContent }))
}

/** The « Votre numéro de famille » rows of the app's outbox for `address`, whatever its case. */
const numberMailsTo = (address: string) =>
  db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.kind, 'family_number'),
        eq(sql`lower(${outbox.recipient})`, address.toLowerCase()),
      ),
    )

describe('« Numéro de famille oublié ? »', () => {
  it('is linked from the sign-in and forgot-password steps, next to the identifier help', async () => {
    for (const path of ['/connexion', '/mot-de-passe-oublie']) {
      const html = await (await send(path)).text()
      expect(html, path).toMatch(/<a href="\/numero-oublie"[^>]*>Numéro de famille oublié \?<\/a>/)
      expect(html.indexOf('identifier-hint')).toBeLessThan(html.indexOf('/numero-oublie'))
    }
    const page = await send('/numero-oublie')
    expect(page.status).toBe(200)
    expect(await textOf(page)).toContain('Adresse e-mail')
  })

  it('walks from the link to the family space using only what the mails say', async () => {
    const family = await createFamily({ email: 'Parent.Lointain@Example.org' })
    const api = new FakeMailApi('walk')
    const browser = new Visitor()
    const sent = await browser.post(
      '/numero-oublie',
      { email: '  parent.lointain@example.ORG ' },
      { env: api.env() },
    )
    expect(sent.status).toBe(200)
    expect(await textOf(sent)).toContain(
      'Si cette adresse est enregistrée, un e-mail vient de vous être envoyé avec votre numéro de famille.',
    )

    const [queued] = await numberMailsTo(family.email!)
    expect(queued!.status).toBe('delivered')
    const [mail, ...more] = await mailsReceived(api, family.email!)
    expect(more).toEqual([])
    expect(mail!.subject).toBe('Votre numéro de famille')
    expect(mail!.text).toContain(`À ${family.lastName} ${family.firstName}`)
    expect(mail!.text).toContain(`L'adresse de départ : ${env.PUBLIC_URL}/connexion`)
    expect(mail!.text).toContain(
      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
    )
    expect(mail!.text).toContain('« Mot de passe oublié »')
    expect(mail!.text).not.toMatch(/Mot de passe : /)
    expect(mail!.html).toContain(
      `<a href="${env.PUBLIC_URL}/connexion">L&#39;adresse de départ</a>`,
    )
    const [number, ...others] = numbersInMail(mail!.text)
    expect(others).toEqual([])
    expect(number).toBe(family.familyNumber)

    const options = { env: api.env() }
    await browser.post('/mot-de-passe-oublie', { identifier: number! }, options)
    const [, passwordMail] = await mailsReceived(api, family.email!)
    const temporary = /Mot de passe : ([0-9a-f]{32})/.exec(passwordMail!.text)![1]!
    await browser.post('/connexion', { identifier: number!, password: temporary }, options)
    await browser.post(
      '/nouveau-mot-de-passe',
      { new_password: 'Retrouve-2026', confirmation: 'Retrouve-2026' },
      options,
    )
    const signedIn = await browser.post(
      '/connexion',
      { identifier: number!, password: 'Retrouve-2026' },
      options,
    )
    expect(signedIn.headers.get('location')).toBe('/espace')
    const space = await textOf(await browser.get('/espace', options))
    expect(space).toContain(`Bonjour ${family.firstName}`)
  })

  it('sends an address shared by families one mail that lists each name with its number', async () => {
    const shared = `grand-parent-${crypto.randomUUID().slice(0, 8)}@example.org`
    const first = await createFamily({ email: shared, lastName: 'MARTIN', firstName: 'Claire' })
    const second = await createFamily({
      email: shared.toUpperCase(),
      lastName: 'BERNARD',
      firstName: 'Paul',
    })
    const api = new FakeMailApi('shared')
    await post('/numero-oublie', { email: shared }, { env: api.env() })

    const queued = await numberMailsTo(shared)
    expect(queued).toHaveLength(1)
    expect(queued[0]!.status).toBe('delivered')
    const [mail, ...more] = await mailsReceived(api, first.email!)
    expect(more).toEqual([])
    expect(numbersInMail(mail!.text)).toEqual([first.familyNumber, second.familyNumber])
    expect(mail!.text).toContain('Cette adresse e-mail est enregistrée pour 2 familles.')
    expect(mail!.text).toContain(`MARTIN Claire\n- Login : ${first.familyNumber}`)
    expect(mail!.text).toContain(`BERNARD Paul\n- Login : ${second.familyNumber}`)
    expect(mail!.html).toContain(`<strong>BERNARD Paul</strong> : Login : ${second.familyNumber}`)
    const events = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.type, 'family_number_requested'))
    for (const family of [first, second]) {
      expect(events.filter((event) => event.familyId === family.id)).toHaveLength(1)
    }
  })

  it(`lists ${FAMILIES_LISTED_PER_MAIL} families at most, and says whom to call for the others`, async () => {
    const shared = `centre-${crypto.randomUUID().slice(0, 8)}@example.org`
    const registered = []
    for (let i = 1; i <= FAMILIES_LISTED_PER_MAIL + 2; i++) {
      registered.push(await createFamily({ email: shared, lastName: `FAMILLE${i}` }))
    }
    const api = new FakeMailApi('crowded')
    await post('/numero-oublie', { email: shared }, { env: api.env() })

    expect(await numberMailsTo(shared)).toHaveLength(1)
    const [mail, ...more] = await mailsReceived(api, shared)
    expect(more).toEqual([])
    const listed = registered.slice(0, FAMILIES_LISTED_PER_MAIL)
    expect(numbersInMail(mail!.text)).toEqual(listed.map((family) => family.familyNumber))
    expect(mail!.text).toContain(
      `Cette adresse e-mail est enregistrée pour ${registered.length} familles. Voici le numéro des ${FAMILIES_LISTED_PER_MAIL} premières :`,
    )
    expect(mail!.text).toContain(
      `Pour connaître le numéro des 2 autres familles, adressez-vous à la mairie. ${testConfig.contactText}`,
    )
    for (const family of registered.slice(FAMILIES_LISTED_PER_MAIL)) {
      expect(mail!.text).not.toContain(family.familyNumber)
      expect(mail!.html).not.toContain(family.familyNumber)
    }
    const events = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.type, 'family_number_requested'))
    for (const family of registered) {
      expect(events.filter((event) => event.familyId === family.id)).toHaveLength(1)
    }
  })

  it('answers htmx with the fragment, in one round trip', async () => {
    const response = await post('/numero-oublie', { email: 'x@example.org' }, { htmx: true })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toMatch(/^<title>Consultez votre messagerie – Accès famille<\/title>/)
    expect(html).not.toContain('<html')
  })

  it('records family_number_requested without the address in clear', async () => {
    const family = await createFamily()
    const ip = '127.51.100.120'
    await post('/numero-oublie', { email: family.email! }, { ip })
    await post('/numero-oublie', { email: 'inconnue@example.org' }, { ip })
    // This client's events only: the file's other tests record theirs in the same table.
    const events = await db
      .select()
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.type, 'family_number_requested'),
          eq(securityEvents.clientKey, clientKeyOf(ip)),
        ),
      )
    expect(events.map(({ familyId, detail }) => ({ familyId, detail }))).toEqual([
      { familyId: family.id, detail: null },
      { familyId: null, detail: 'unknown address' },
    ])
    const dump = JSON.stringify(events)
    expect(dump).not.toContain(family.email!)
    expect(dump).not.toContain('inconnue@example.org')
  })

  it('finds the families through the email index', async () => {
    const { results } = await env.DB.prepare(
      'explain query plan select * from families where lower("families"."email") = ?',
    )
      .bind('x@example.org')
      .all<{ detail: string }>()
    expect(results.map((row) => row.detail).join(' ')).toContain('families_email_idx')
  })
})

describe('nothing tells whether an address is registered (the forgot-password enumeration tests, again)', () => {
  it('gives the same bytes for an address on one family, on several, unknown, or malformed but plausible', async () => {
    const one = await createFamily()
    const shared = `partage-${crypto.randomUUID().slice(0, 8)}@example.org`
    await createFamily({ email: shared })
    await createFamily({ email: shared })
    const answers = [
      await answerFor(one.email!),
      await answerFor(shared),
      await answerFor('personne@example.org'),
      await answerFor('jean..dupont@exemple'),
    ]
    expect(answers[0]!.status).toBe(200)
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0])
  })

  it('does not wait for the mail API: a provider that never answers still gets the page at once', async () => {
    const api = new FakeMailApi('number-hang')
    await api.script([], 'hang')
    const family = await createFamily()
    // The provider never answers: the send ends only at the mailer's time-out, 3 seconds on.
    const response = await post(
      '/numero-oublie',
      { email: family.email! },
      { env: api.env({ MAIL_TIMEOUT_SECONDS: '3' }), waitForBackground: false },
    )
    expect(response.status).toBe(200)
    // Had the answer waited for the send, the outbox would already hold its outcome.
    const atAnswer = await numberMailsTo(family.email!)
    expect(atAnswer.filter((mail) => mail.attempts > 0)).toEqual([])

    await response.settled
    const [mail, ...more] = await numberMailsTo(family.email!)
    expect(more).toEqual([])
    expect(mail!.attempts).toBe(1)
    expect(mail!.lastError).toBe('timeout')
    const reached = await api.received()
    expect(reached.map((request) => request.reply)).toEqual(['hang'])
    expect(JSON.parse(reached[0]!.body).textContent).toContain(family.familyNumber)
  })

  it.each(['', 'pas une adresse', 'nom@', '@exemple.fr', 'a@b c'])(
    'refuses %j with 422 and the rule, keeps what was typed, writes and sends nothing',
    async (email) => {
      const before = await snapshotDatabase()
      const response = await post('/numero-oublie', { email })
      expect(response.status).toBe(422)
      const html = await response.text()
      expect(readable(html)).toMatch(/Saisissez votre adresse e-mail|nom@exemple\.fr/)
      if (email) expect(html).toContain(`value="${email}"`)
      expect(await snapshotDatabase()).toEqual(before)
    },
  )

  it('limits like the temporary-password mails: 3 an hour per address and client, then 429 for that client only', async () => {
    const family = await createFamily()
    const ip = '127.51.100.140'
    const perClient = testConfig.limits.mailsPerSubjectPerClientPerHour
    expect(perClient).toBe(3)
    for (let i = 0; i < perClient; i++) {
      expect((await post('/numero-oublie', { email: family.email! }, { ip })).status).toBe(200)
    }
    const refused = await post('/numero-oublie', { email: family.email! }, { ip })
    expect(refused.status).toBe(429)
    expect(await textOf(refused)).toContain('réessayez dans')
    expect((await post('/numero-oublie', { email: family.email! })).status).toBe(200)
    // The answered requests gave one mail: the others fell inside its spacing.
    expect(await numberMailsTo(family.email!)).toHaveLength(1)
  })

  it('spaces the mails to an address: the usual page and no new mail inside 15 minutes, a new one after, whoever asked', async () => {
    const family = await createFamily()
    const usual = (await answerFor('personne-encore@example.org')).body
    for (let i = 0; i < 10; i++) {
      await post('/numero-oublie', { email: family.email! }, { ip: `127.51.100.${150 + i}` })
    }
    const spaced = await answerFor(family.email!)
    expect(spaced.body).toBe(usual)
    expect(await numberMailsTo(family.email!)).toHaveLength(1)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 16 * 60_000 })
    try {
      await post('/numero-oublie', { email: family.email! }, { ip: '127.51.100.170' })
      expect(await numberMailsTo(family.email!)).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
