import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { sessions } from '../../src/db/schema'
import {
  createFamily,
  db,
  mailsTo,
  reloadFamily,
  send,
  temporaryPasswordFromMail,
  readable,
  textOf,
  Visitor,
} from '../support/helpers'
import { signedInFamily, signedInWithTemporaryPassword } from '../support/signed-in'

describe('the restricted session of a temporary password', () => {
  it('accepts the temporary password pasted with spaces or typed in capitals', async () => {
    const family = await createFamily()
    await new Visitor().post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    const response = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: `  ${temporary.toUpperCase()}\t`,
    })
    expect(response.headers.get('location')).toBe('/nouveau-mot-de-passe')
  })

  it("shows step 5 with the seed's text and the rules before the fields, without a current-password field", async () => {
    const { browser } = await signedInWithTemporaryPassword()
    const response = await browser.get('/nouveau-mot-de-passe')
    const html = await response.text()
    const text = await textOf(new Response(html))
    expect(response.status).toBe(200)
    expect(html).toContain('<title>Nouveau mot de passe – Accès famille</title>')
    expect(text).toContain(
      'Pour améliorer la sécurité de votre application, nous vous demandons de saisir un nouveau mot de passe.',
    )
    for (const rule of [
      '8 caractères minimum',
      'Au moins 1 majuscule',
      'Au moins 1 minuscule',
      'Au moins 1 caractère numérique',
    ]) {
      expect(text).toContain(rule)
    }
    expect(html.indexOf('8 caractères minimum')).toBeLessThan(html.indexOf('name="new_password"'))
    expect(html).toContain('name="confirmation"')
    expect(html).not.toContain('name="current_password"')
  })

  it.each(['/espace', '/', '/nimporte-quoi'])(
    'sends %s to the sign-in page, never into step 5',
    async (path) => {
      const { browser } = await signedInWithTemporaryPassword()
      const response = await browser.get(path)
      expect(response.status).toBe(303)
      expect(response.headers.get('location')).toBe('/connexion')
    },
  )

  it('can sign out', async () => {
    const { browser } = await signedInWithTemporaryPassword()
    const response = await browser.post('/deconnexion', {})
    expect(response.headers.get('location')).toBe('/connexion')
    expect((await browser.get('/espace')).headers.get('location')).toBe('/connexion')
  })
})

describe('POST /nouveau-mot-de-passe', () => {
  const cases: Array<[string, string, string]> = [
    ['too short', 'Abc1234', 'Le mot de passe doit compter au moins 8 caractères.'],
    ['no uppercase', 'abcdefg1', 'Le mot de passe doit contenir au moins 1 majuscule.'],
    ['no lowercase', 'ABCDEFG1', 'Le mot de passe doit contenir au moins 1 minuscule.'],
    ['no digit', 'Abcdefgh', 'Le mot de passe doit contenir au moins 1 caractère numérique.'],
  ]
  it.each(cases)(
    'refuses a password with %s, naming the rule next to the field',
    async (_, password, message) => {
      const { browser, family } = await signedInWithTemporaryPassword()
      const response = await browser.post('/nouveau-mot-de-passe', {
        new_password: password,
        confirmation: password,
      })
      expect(response.status).toBe(422)
      const html = await response.text()
      expect(await textOf(new Response(html))).toContain(message)
      expect(html).toMatch(
        /id="new_password"[^>]*aria-invalid="true"[^>]*aria-describedby="new_password-hint new_password-error"/,
      )
      expect(html).not.toContain(password)
      expect((await reloadFamily(family.id)).passwordHash).toBeNull()
    },
  )

  it('names every broken rule at once', async () => {
    const { browser } = await signedInWithTemporaryPassword()
    const text = await textOf(
      await browser.post('/nouveau-mot-de-passe', { new_password: 'abc', confirmation: 'abc' }),
    )
    expect(text).toContain('au moins 8 caractères')
    expect(text).toContain('au moins 1 majuscule')
    expect(text).toContain('au moins 1 caractère numérique')
  })

  it('refuses a confirmation that differs', async () => {
    const { browser, family } = await signedInWithTemporaryPassword()
    const response = await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2027',
    })
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain(
      'La confirmation ne correspond pas au nouveau mot de passe.',
    )
    expect((await reloadFamily(family.id)).passwordHash).toBeNull()
  })

  it('refuses a password containing the family number', async () => {
    const { browser, family } = await signedInWithTemporaryPassword()
    const password = `Aa${family.familyNumber}`
    const response = await browser.post('/nouveau-mot-de-passe', {
      new_password: password,
      confirmation: password,
    })
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain('ne doit pas contenir votre numéro de famille')
  })

  it('answers htmx errors with the form fragment', async () => {
    const { browser } = await signedInWithTemporaryPassword()
    const response = await browser.post(
      '/nouveau-mot-de-passe',
      { new_password: 'a', confirmation: 'b' },
      { htmx: true },
    )
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toMatch(/^<title>Nouveau mot de passe – Accès famille<\/title>/)
    expect(html).toContain('data-hx-post="/nouveau-mot-de-passe"')
  })

  it('saves the password, ends every session, refuses the temporary password and accepts the new one', async () => {
    const { browser, family, temporary } = await signedInWithTemporaryPassword()
    const other = new Visitor()
    await other.post('/connexion', { identifier: family.familyNumber, password: temporary })
    const oldCookie = browser.cookie

    const response = await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/connexion')
    expect(await db.select().from(sessions).where(eq(sessions.familyId, family.id))).toHaveLength(0)
    // An ended session gets the sign-in step with why, not the new-password form.
    for (const ended of [
      await send('/nouveau-mot-de-passe', { cookie: oldCookie }),
      await other.get('/nouveau-mot-de-passe'),
    ]) {
      const text = await textOf(ended)
      expect(text).toContain('Votre session a pris fin')
      expect(text).not.toContain('Nouveau mot de passe')
    }

    const withTemporary = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(withTemporary.status).toBe(422)
    const withNew = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: 'Jardin2026',
    })
    expect(withNew.headers.get('location')).toBe('/espace')
  })

  it('mails a "password changed" notice that holds no password', async () => {
    const { browser, family, temporary } = await signedInWithTemporaryPassword()
    await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    const [notice] = await mailsTo(family.email!)
    expect(notice!.subject).toBe('Votre mot de passe a été modifié')
    expect(notice!.text).not.toContain('Jardin2026')
    expect(notice!.text).not.toContain(temporary)
    expect(notice!.text).toContain("Si ce n'est pas vous")
  })

  it('answers a successful htmx change with the sign-in step at once: message, number prefilled, URL pushed', async () => {
    const { browser, family } = await signedInWithTemporaryPassword()
    const response = await browser.post(
      '/nouveau-mot-de-passe',
      { new_password: 'Jardin2026', confirmation: 'Jardin2026' },
      { htmx: true },
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('HX-Push-Url')).toBe('/connexion')
    const html = await response.text()
    expect(html).toMatch(/^<title>Connexion – Accès famille<\/title>/)
    expect(html).toContain(`value="${family.familyNumber}"`)
    expect(readable(html)).toContain('Votre nouveau mot de passe est enregistré')
    // No second view of the message: the one-view cookie is for plain forms only.
    expect(await textOf(await browser.get('/connexion'))).not.toContain('est enregistré')
  })
})

describe('changing the password by choice, from the family space', () => {
  it('asks for the current password', async () => {
    const { browser } = await signedInFamily()
    const html = await (await browser.get('/nouveau-mot-de-passe')).text()
    expect(html).toContain('name="current_password"')
    expect(html).toContain('autocomplete="current-password"')
  })

  it('refuses a wrong current password and keeps the old one', async () => {
    const { browser, family } = await signedInFamily()
    const response = await browser.post('/nouveau-mot-de-passe', {
      current_password: 'Faux2026x',
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain('Le mot de passe actuel est incorrect.')
    expect((await reloadFamily(family.id)).passwordHash).toBe(family.passwordHash)
  })

  it('changes it with the right current password, then signs the family out', async () => {
    const { browser, family } = await signedInFamily()
    const response = await browser.post('/nouveau-mot-de-passe', {
      current_password: 'Soleil2026',
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(response.headers.get('location')).toBe('/connexion')
    const old = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(old.status).toBe(422)
    const renewed = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: 'Jardin2026',
    })
    expect(renewed.headers.get('location')).toBe('/espace')
  })
})

describe('GET /nouveau-mot-de-passe without a session', () => {
  it('sends the visitor to sign in', async () => {
    const response = await send('/nouveau-mot-de-passe')
    expect(response.headers.get('location')).toBe('/connexion')
  })
})
