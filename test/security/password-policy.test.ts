import { describe, expect, it } from 'vitest'
import { isCommonPassword } from '../../src/services/common-passwords'
import {
  createFamily,
  post,
  reloadFamily,
  temporaryPasswordFromMail,
  textOf,
  Visitor,
} from '../helpers'

async function restricted() {
  const family = await createFamily()
  await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
  const temporary = await temporaryPasswordFromMail(family.email!)
  const browser = new Visitor()
  await browser.post('/connexion', { identifier: family.familyNumber, password: temporary })
  return { family, browser, temporary }
}

const choose = (browser: Visitor, password: string) =>
  browser.post('/nouveau-mot-de-passe', { new_password: password, confirmation: password })

const signIn = (identifier: string, password: string) =>
  new Visitor().post('/connexion', { identifier, password })

describe('a new password follows the policy, each broken rule named', () => {
  it.each([64, 128])(
    'accepts a %i-character password and keeps every character of it',
    async (length) => {
      const { family, browser } = await restricted()
      const password = `Aa1${'é'.repeat(length - 4)}z`
      expect([...password]).toHaveLength(length)
      expect((await choose(browser, password)).status).toBe(303)
      expect((await signIn(family.familyNumber, password)).headers.get('location')).toBe('/espace')
      expect((await signIn(family.familyNumber, `${password.slice(0, -1)}y`)).status).toBe(422)
      expect((await signIn(family.familyNumber, password.slice(0, -1))).status).toBe(422)
    },
  )

  it('refuses 129 characters with a message', async () => {
    const { family, browser } = await restricted()
    const response = await choose(browser, `Aa1${'x'.repeat(126)}`)
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain('ne doit pas dépasser 128 caractères')
    expect((await reloadFamily(family.id)).passwordHash).toBeNull()
  })

  it('refuses the temporary password itself, whatever the case it is typed in', async () => {
    const { browser, temporary } = await restricted()
    // Lowercase hex with one letter capitalised passes the composition rules: only this rule is left.
    const firstLetter = temporary.search(/[a-f]/)
    const mixedCase =
      temporary.slice(0, firstLetter) +
      temporary[firstLetter]!.toUpperCase() +
      temporary.slice(firstLetter + 1)
    const response = await choose(browser, mixedCase)
    expect(response.status).toBe(422)
    const text = await textOf(response)
    expect(text).toContain('Choisissez un mot de passe différent du mot de passe temporaire.')
    expect(text).not.toContain('au moins 1 majuscule')
  })

  it.each(['Azerty123', 'Password1', 'Qwerty123', 'Famille2026', 'Cantine#123', 'Bienvenue2026'])(
    'refuses the common password %s',
    async (password) => {
      const { browser } = await restricted()
      const response = await choose(browser, password)
      expect(response.status).toBe(422)
      expect(await textOf(response)).toContain('Ce mot de passe est trop courant')
    },
  )

  it('bundles the leaked passwords a family could still choose under the composition rules', () => {
    for (const common of [
      '1qaz2wsx',
      'Trustno1',
      'Qwerty123',
      'Azerty123',
      'Abcd1234',
      'Password123',
    ]) {
      expect(isCommonPassword(common)).toBe(true)
    }
    for (const fine of ['Jardin2026', 'Soleil2026', 'Chat-Vert-7-Pommes']) {
      expect(isCommonPassword(fine)).toBe(false)
    }
  })
})
