import { describe, expect, it } from 'vitest'
import { maskEmail } from '../../src/views/family-space'
import { createFamily, send, textOf, Visitor } from '../support/helpers'
import { signedInFamily } from '../support/signed-in'

describe('GET /espace', () => {
  it('greets the family with its own data, the e-mail partly masked', async () => {
    const family = await createFamily({
      firstName: 'Claire',
      lastName: 'MARTIN',
      email: 'claire.martin@example.org',
      password: 'Soleil2026',
    })
    await createFamily({ firstName: 'Autre', lastName: 'FAMILLE', password: 'Soleil2026' })
    const browser = new Visitor()
    await browser.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    const response = await browser.get('/espace')
    expect(response.status).toBe(200)
    const text = await textOf(response)
    expect(text).toContain('Bonjour Claire MARTIN')
    expect(text).toContain(family.familyNumber)
    expect(text).toContain(`c${'•'.repeat(11)}n@example.org`)
    expect(text).not.toContain('claire.martin@example.org')
    expect(text).not.toContain('Autre')
    expect(text).toContain('Ceci est votre première connexion.')
    expect(text).toContain('Changer mon mot de passe')
    expect(text).toContain('Se déconnecter')
  })

  it('shows the previous sign-in from the second sign-in on', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    const browser = new Visitor()
    await browser.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    const text = await textOf(await browser.get('/espace'))
    expect(text).not.toContain('première connexion')
    expect(text).toMatch(/Dernière connexion \S+ \d{1,2} \S+ \d{4}/)
  })

  it('sends a visitor without a session to sign in', async () => {
    const response = await send('/espace')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/connexion')
  })

  it('answers htmx with the space fragment', async () => {
    const { family, browser } = await signedInFamily()
    const html = await (await browser.get('/espace', { htmx: true })).text()
    expect(html).toMatch(/^<title>Mon espace famille – Accès famille<\/title>/)
  })
})

describe('maskEmail', () => {
  it.each([
    ['claire.martin@example.org', `c${'•'.repeat(11)}n@example.org`],
    ['ab@example.org', 'a•@example.org'],
    ['a@example.org', 'a•@example.org'],
  ])('masks %s as %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked)
  })
})
