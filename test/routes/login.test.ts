import { describe, expect, it } from 'vitest'
import {
  createFamily,
  db,
  post,
  readable,
  send,
  setCookies,
  temporaryPasswordFromMail,
  testConfig,
  textOf,
  Visitor,
} from '../support/helpers'
import { signedInFamily } from '../support/signed-in'
import { sessions } from '../../src/db/schema'
import { eq } from 'drizzle-orm'

describe('GET /', () => {
  it('sends a visitor to the sign-in page', async () => {
    const response = await send('/')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/connexion')
  })

  it('sends a signed-in family to its space', async () => {
    const { family, browser } = await signedInFamily()
    const response = await browser.get('/')
    expect(response.headers.get('location')).toBe('/espace')
  })
})

describe('GET /connexion', () => {
  it('is a complete French page with the two fields and the forgotten-password link', async () => {
    const response = await send('/connexion')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toMatch(/^<!DOCTYPE html><html lang="fr">/)
    expect(html).toContain('<title>Connexion – Accès famille</title>')
    expect(html).toContain('name="identifier"')
    expect(html).toContain('name="password"')
    expect(html).toContain('href="/mot-de-passe-oublie"')
    expect(html).toContain(testConfig.identifierHelp)
  })

  it('answers htmx with the step alone, its title included, and says it varies on HX-Request', async () => {
    const response = await send('/connexion', { htmx: true })
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toMatch(/^<title>Connexion – Accès famille<\/title><section/)
    expect(response.headers.get('vary')).toContain('HX-Request')
  })
})

describe('POST /connexion', () => {
  it('opens a full session with the right password and sends the family to its space', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const response = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/espace')
    const cookie = setCookies(response).get('__Host-session')!
    expect(cookie.value).toMatch(/^[0-9a-f]{64}$/)
    expect(cookie.attributes).toMatch(/Path=\//)
    expect(cookie.attributes).toMatch(/HttpOnly/)
    expect(cookie.attributes).toMatch(/Secure/)
    expect(cookie.attributes).toMatch(/SameSite=Lax/)
    const rows = await db.select().from(sessions).where(eq(sessions.familyId, family.id))
    expect(rows).toHaveLength(1)
    expect(rows[0]!.kind).toBe('full')
  })

  it('ignores spaces around the family number', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const response = await post('/connexion', {
      identifier: `  ${family.familyNumber} `,
      password: 'Soleil2026',
    })
    expect(response.headers.get('location')).toBe('/espace')
  })

  it('answers htmx with the family space at once (one round trip) and pushes /espace', async () => {
    const family = await createFamily({ password: 'Soleil2026', firstName: 'Claire' })
    const response = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { htmx: true },
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('HX-Push-Url')).toBe('/espace')
    expect(response.headers.get('HX-Location')).toBeNull()
    const html = await response.text()
    expect(html).toMatch(/^<title>Mon espace famille – Accès famille<\/title>/)
    expect(html).not.toContain('<html')
    expect(readable(html)).toContain(`Bonjour Claire ${family.lastName}`)
    expect(readable(html)).toContain('Ceci est votre première connexion.')
    expect(setCookies(response).get('__Host-session')?.value).toMatch(/^[0-9a-f]{64}$/)
  })

  it('answers htmx with step 5 at once after a temporary password, and pushes its URL', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const response = await post(
      '/connexion',
      { identifier: family.familyNumber, password: await temporaryPasswordFromMail(family.email!) },
      { htmx: true },
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('HX-Push-Url')).toBe('/nouveau-mot-de-passe')
    expect(readable(await response.text())).toContain(
      'Pour améliorer la sécurité de votre application',
    )
  })

  it('re-shows the form with the typed number and no password after a wrong password', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const response = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Mauvais2026',
    })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain(`value="${family.familyNumber}"`)
    expect(html).not.toContain('Mauvais2026')
    expect(await textOf(new Response(html))).toContain('Identifiant ou mot de passe incorrect.')
    expect(setCookies(response).has('__Host-session')).toBe(false)
  })

  it('names the rule when the number is not 15 digits, keeping what was typed', async () => {
    const response = await post('/connexion', { identifier: '12345abc', password: 'x' })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('value="12345abc"')
    expect(html).toContain('aria-invalid="true"')
    expect(await textOf(new Response(html))).toContain(
      'Le numéro de famille compte exactement 15 chiffres',
    )
  })

  it('asks for both fields when they are empty', async () => {
    const text = await textOf(await post('/connexion', {}))
    expect(text).toContain('Saisissez votre identifiant (numéro de famille).')
    expect(text).toContain('Saisissez votre mot de passe.')
  })

  it('answers a failed htmx sign-in with the form fragment and 422', async () => {
    const response = await post('/connexion', { identifier: '1', password: 'x' }, { htmx: true })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).not.toContain('<html')
    expect(html).toContain('data-hx-post="/connexion"')
  })
})

describe('POST /deconnexion', () => {
  it('ends the session and clears the cookie', async () => {
    const { family, browser } = await signedInFamily()
    const token = browser.cookieValue('__Host-session')!
    const response = await browser.post('/deconnexion', {})
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/connexion')
    expect(browser.cookieValue('__Host-session')).toBeUndefined()
    const replay = await send('/espace', { cookie: `__Host-session=${token}` })
    expect(replay.headers.get('location')).toBe('/connexion')
  })
})

describe('a browser left on step 5 (a temporary password signed in, no new password yet)', () => {
  const pending = 'Une demande de nouveau mot de passe est en cours sur ce navigateur.'

  async function leftOnStepFive() {
    const family = await createFamily({ password: 'Soleil2026' })
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    const browser = new Visitor()
    const signIn = await browser.post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(signIn.headers.get('location')).toBe('/nouveau-mot-de-passe')
    return { family, browser, temporary }
  }

  it('shows the next person the sign-in form, not step 5 nor the family number', async () => {
    const { family, browser } = await leftOnStepFive()
    const response = await browser.get('/connexion')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(readable(html)).toContain(pending)
    expect(html).toContain('name="identifier"')
    expect(html).not.toContain('name="new_password"')
    expect(html).not.toContain(family.familyNumber)
  })

  it('sends / to that sign-in form too', async () => {
    const { browser } = await leftOnStepFive()
    const response = await browser.get('/')
    expect(response.headers.get('location')).toBe('/connexion')
  })

  it('offers a real form, without JavaScript or with htmx, that cancels the request', async () => {
    for (const htmx of [false, true]) {
      const { browser } = await leftOnStepFive()
      const html = await (await browser.get('/connexion', { htmx })).text()
      const cancel = /<form method="post" action="\/deconnexion"[^>]*>[\s\S]*?<\/form>/.exec(html)
      expect(cancel?.[0]).toContain('data-hx-post="/deconnexion"')
      expect(readable(cancel![0])).toContain('Annuler cette demande')
      await browser.post('/deconnexion', {}, { htmx })
      expect(browser.cookieValue('__Host-session')).toBeUndefined()
      const after = await browser.get('/nouveau-mot-de-passe')
      expect(after.status).toBe(303)
      expect(after.headers.get('location')).toBe('/connexion')
      expect(readable(await (await browser.get('/connexion')).text())).not.toContain(pending)
    }
  })

  it('still takes the new password at step 5 for the family that just signed in', async () => {
    const { family, browser } = await leftOnStepFive()
    expect((await browser.get('/nouveau-mot-de-passe')).status).toBe(200)
    const saved = await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Verger-2026x',
      confirmation: 'Verger-2026x',
    })
    expect(saved.headers.get('location')).toBe('/connexion')
    const signIn = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: 'Verger-2026x',
    })
    expect(signIn.headers.get('location')).toBe('/espace')
  })

  it('lets the next person sign in with their own password, ending the pending request', async () => {
    const { browser } = await leftOnStepFive()
    const other = await createFamily({ password: 'Prairie2026' })
    const signIn = await browser.post('/connexion', {
      identifier: other.familyNumber,
      password: 'Prairie2026',
    })
    expect(signIn.headers.get('location')).toBe('/espace')
    expect(readable(await (await browser.get('/espace')).text())).toContain(other.familyNumber)
    // Their own password change asks for their current password: nothing of the request is left.
    const change = await (await browser.get('/nouveau-mot-de-passe')).text()
    expect(change).toContain('name="current_password"')
  })
})
