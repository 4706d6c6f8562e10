import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { families, outbox, temporaryPasswords } from '../../src/db/schema'
import {
  createFamily,
  db,
  DEPLOYED,
  mailsTo,
  post,
  send,
  textOf,
  uniqueFamilyNumber,
  testConfig,
} from '../support/helpers'
import { FakeMailApi } from '../support/mail-api'

describe('GET /mot-de-passe-oublie', () => {
  it('asks for the family number, says where to find it and whom to contact', async () => {
    const response = await send('/mot-de-passe-oublie')
    expect(response.status).toBe(200)
    const text = await textOf(response)
    expect(text).toContain('Mot de passe oublié')
    expect(text).toContain(testConfig.identifierHelp)
    expect(text).toContain(testConfig.contactText)
    expect(text).toContain('Demander un mot de passe')
  })
})

describe('POST /mot-de-passe-oublie', () => {
  it('answers with step 3: go to your mailbox, with the expiry and the spam hint', async () => {
    const family = await createFamily()
    const response = await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    expect(response.status).toBe(200)
    const text = await textOf(response)
    expect(text).toContain(
      "Si ce numéro de famille est connu, un e-mail vient d'être envoyé à l'adresse enregistrée",
    )
    expect(text).toContain('valable 60 minutes')
    expect(text).toContain('courriers indésirables')
    expect(await (await send('/mot-de-passe-oublie')).text()).toContain('href="/connexion"')
  })

  it("mails the seed's message, line by line, to the family's address", async () => {
    const family = await createFamily({ lastName: 'IVETON', firstName: 'Lionel' })
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const [mail, ...others] = await mailsTo(family.email!)
    expect(others).toHaveLength(0)
    expect(mail!.subject).toBe('Envoi de vos identifiants de connexion')
    expect(mail!.recipient).toBe(family.email)
    const lines = mail!.text!.split('\n')
    expect(lines).toContain('À IVETON Lionel')
    expect(lines).toContain('Vous avez perdu vos identifiants de connexion.')
    expect(lines).toContain('Nous vous envoyons un nouveau mot de passe temporaire.')
    expect(lines).toContain(`- Login : ${family.familyNumber}`)
    expect(lines.some((line) => /^- Mot de passe : [0-9a-f]{32}$/.test(line))).toBe(true)
    expect(lines).toContain('Ce mot de passe est à modifier lors de votre première connexion.')
    expect(lines).toContain(`L'adresse de départ : ${env.PUBLIC_URL}/connexion`)
    expect(mail!.text).toContain('valable 60 minutes')
    expect(mail!.text).toContain(
      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message",
    )

    const html = mail!.html!
    expect(html).toContain('<strong>IVETON Lionel</strong>')
    expect(html).toContain(`Login : ${family.familyNumber}`)
    expect(html).toMatch(/Mot de passe : <code>[0-9a-f]{32}<\/code>/)
    expect(html).toContain(`<a href="${env.PUBLIC_URL}/connexion">L&#39;adresse de départ</a>`)
  })

  it("builds the mail's link from PUBLIC_URL, never from the Host the request came with", async () => {
    const family = await createFamily()
    // A deployed portal (a development configuration answers loopback only) reached as evil.example.
    const api = new FakeMailApi('link')
    const response = await send('/mot-de-passe-oublie', {
      method: 'POST',
      origin: 'https://evil.example',
      form: { identifier: family.familyNumber },
      headers: { 'x-forwarded-host': 'evil.example' },
      env: { ...DEPLOYED.env, ...api.env() },
    })
    expect(response.status).toBe(200)
    const [mail] = await api.received()
    const { textContent, htmlContent } = JSON.parse(mail!.body)
    expect(textContent).toContain(`L'adresse de départ : ${DEPLOYED.origin}/connexion`)
    expect(htmlContent).toContain(`<a href="${DEPLOYED.origin}/connexion">`)
    expect(textContent).not.toContain('evil.example')
    expect(htmlContent).not.toContain('evil.example')
  })

  it("escapes the family's name in the HTML mail", async () => {
    const family = await createFamily({ lastName: '<script>alert(1)</script>' })
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const [mail] = await mailsTo(family.email!)
    expect(mail!.html).not.toContain('<script>alert(1)</script>')
    expect(mail!.html).toContain('&lt;script&gt;')
  })

  it('stores the temporary password only as a hash, with its expiry, and leaves the password alone', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const before = Date.now()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const [row] = await db
      .select()
      .from(temporaryPasswords)
      .where(eq(temporaryPasswords.familyId, family.id))
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(row!.expiresAt).toBeGreaterThanOrEqual(before + 60 * 60_000)
    expect(row!.expiresAt).toBeLessThanOrEqual(Date.now() + 60 * 60_000)
    const after = await db.select().from(families).where(eq(families.id, family.id)).get()
    expect(after!.passwordHash).toBe(family.passwordHash)
  })

  it('gives the same step 3 for an unknown number, and mails nobody', async () => {
    const before = await db.select().from(outbox)
    const response = await post('/mot-de-passe-oublie', { identifier: uniqueFamilyNumber() })
    expect(response.status).toBe(200)
    expect(await textOf(response)).toContain('Si ce numéro de famille est connu')
    expect(await db.select().from(outbox)).toEqual(before)
  })

  it('names the rule when the number is not 15 digits and keeps what was typed', async () => {
    const response = await post('/mot-de-passe-oublie', { identifier: '12 34' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('value="12 34"')
    expect(html).toContain('id="identifier-error"')
    expect(html).toContain('aria-describedby="identifier-hint identifier-error"')
  })

  it('answers htmx with the step 3 fragment', async () => {
    const family = await createFamily()
    const response = await post(
      '/mot-de-passe-oublie',
      { identifier: family.familyNumber },
      { htmx: true },
    )
    const html = await response.text()
    expect(response.status).toBe(200)
    expect(html).toMatch(/^<title>Consultez votre messagerie – Accès famille<\/title>/)
    expect(html).not.toContain('<html')
  })
})
