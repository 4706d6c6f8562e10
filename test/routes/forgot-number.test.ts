import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { outbox, securityEvents } from '../../src/db/schema'
import {
  createFamily,
  db,
  mailsTo,
  post,
  readable,
  send,
  snapshotDatabase,
  temporaryPasswordFromMail,
  textOf,
  Visitor,
  withoutNonces,
} from '../helpers'
import { FakeMailApi } from '../mail-api'

// Issue 14, PRODUCT.md §9: a family that lost its number gets it back at the address on file.

async function answerFor(email: string, options: { env?: Record<string, unknown> } = {}) {
  const response = await post('/numero-oublie', { email }, options)
  const headers = [...response.headers]
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${withoutNonces(value)}`)
  return { status: response.status, headers, body: withoutNonces(await response.text()) }
}

const numberFromMail = (text: string | null) => /- Login : (\d{15})/.exec(text ?? '')?.[1]

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
    const browser = new Visitor()
    const sent = await browser.post('/numero-oublie', { email: '  parent.lointain@example.ORG ' })
    expect(sent.status).toBe(200)
    expect(await textOf(sent)).toContain(
      'Si cette adresse est enregistrée, un e-mail vient de vous être envoyé avec votre numéro de famille.',
    )

    const [mail] = await mailsTo(family.email!)
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
    const number = numberFromMail(mail!.text)!
    expect(number).toBe(family.familyNumber)

    await browser.post('/mot-de-passe-oublie', { identifier: number })
    const temporary = await temporaryPasswordFromMail(family.email!)
    await browser.post('/connexion', { identifier: number, password: temporary })
    await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Retrouve-2026',
      confirmation: 'Retrouve-2026',
    })
    const signedIn = await browser.post('/connexion', {
      identifier: number,
      password: 'Retrouve-2026',
    })
    expect(signedIn.headers.get('location')).toBe('/espace')
    expect(await textOf(await browser.get('/espace'))).toContain(`Bonjour ${family.firstName}`)
  })

  it('mails every family registered with the address, each its own number', async () => {
    const shared = `grand-parent-${crypto.randomUUID().slice(0, 8)}@example.org`
    const first = await createFamily({ email: shared })
    const second = await createFamily({ email: shared.toUpperCase() })
    await post('/numero-oublie', { email: shared })
    const mails = await db.select().from(outbox).where(eq(outbox.kind, 'family_number'))
    const numbers = mails.map((mail) => numberFromMail(mail.text)).filter(Boolean)
    expect(numbers).toEqual(expect.arrayContaining([first.familyNumber, second.familyNumber]))
    for (const mail of mails.filter((m) => m.familyId === first.id)) {
      expect(mail.text).not.toContain(second.familyNumber)
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
    await post('/numero-oublie', { email: family.email! })
    await post('/numero-oublie', { email: 'inconnue@example.org' })
    const events = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.type, 'family_number_requested'))
    expect(events.some((event) => event.familyId === family.id)).toBe(true)
    expect(events.some((event) => event.detail === 'unknown address')).toBe(true)
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
    const response = await post(
      '/numero-oublie',
      { email: family.email! },
      { env: api.env(), waitForBackground: false },
    )
    expect(response.status).toBe(200)
    const raced = await Promise.race([
      response.settled.then(() => 'mail finished'),
      new Promise((resolve) => setTimeout(() => resolve('page already answered'), 300)),
    ])
    expect(raced).toBe('page already answered')
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
    for (let i = 0; i < 3; i++) {
      expect((await post('/numero-oublie', { email: family.email! }, { ip })).status).toBe(200)
    }
    const refused = await post('/numero-oublie', { email: family.email! }, { ip })
    expect(refused.status).toBe(429)
    expect(await textOf(refused)).toContain('réessayez dans')
    expect((await post('/numero-oublie', { email: family.email! })).status).toBe(200)
    expect((await mailsTo(family.email!)).filter((m) => m.kind === 'family_number')).toHaveLength(4)
  })

  it('answers the per-address daily cap with the usual page and no mail', async () => {
    const family = await createFamily()
    const usual = (await answerFor('personne-encore@example.org')).body
    for (let i = 0; i < 10; i++) {
      await post('/numero-oublie', { email: family.email! }, { ip: `127.51.100.${150 + i}` })
    }
    const capped = await answerFor(family.email!)
    expect(capped.body).toBe(usual)
    expect((await mailsTo(family.email!)).filter((m) => m.kind === 'family_number')).toHaveLength(
      10,
    )
  })
})
