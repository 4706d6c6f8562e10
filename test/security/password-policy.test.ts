import { describe, expect, it } from 'vitest'
import LISTED from '../../scripts/data/common-passwords.txt'
import { COMMON_PASSWORDS } from '../../src/data/common-passwords.gen'
import { commonPasswordCheck } from '../../src/services/common-passwords'
import { commonPasswordsFromAssets } from '../support/helpers'
import { passwordProblems } from '../../src/services/password-policy'
import {
  createFamily,
  post,
  reloadFamily,
  temporaryPasswordFromMail,
  textOf,
  Visitor,
} from '../support/helpers'

// The check the Worker builds, over the set this build wrote to the static assets.
const isCommonPassword = await commonPasswordsFromAssets()

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

const TOO_COMMON = 'Ce mot de passe est trop courant et facile à deviner : choisissez-en un autre.'

const rules = { minLength: 8, familyNumber: '123456780123456' }
const listed = LISTED.split('\n').filter(Boolean)

// Passwords the rules accept and the list does not hold, drawn from a fixed seed (mulberry32): the
// same corpus every run.
function unlistedPasswords(count: number, seed: number): string[] {
  let state = seed
  const random = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéè0123456789!-_.#@ ']
  const unlisted = new Set(listed)
  const passwords: string[] = []
  while (passwords.length < count) {
    const length = 8 + Math.floor(random() * 9)
    const password = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)])
    const candidate = password.join('')
    const acceptable = passwordProblems(candidate, rules).length === 0
    if (acceptable && !unlisted.has(candidate.toLowerCase())) passwords.push(candidate)
  }
  return passwords
}

describe('the leaked-password list, bundled as a Golomb-coded set (docs/recovery-flow.md, step 5)', () => {
  const context = { ...rules, isCommonPassword }

  it('refuses every one of the 5 023 listed passwords as too common, as listed and with a capital', () => {
    expect(listed).toHaveLength(5023)
    // The list is in lowercase: "azerty123" stands for "Azerty123", which meets the other rules.
    const withCapital = (password: string) => password.replace(/\p{L}/u, (c) => c.toUpperCase())
    expect(listed.filter((password) => !isCommonPassword(password))).toEqual([])
    expect(
      listed.filter((password) => {
        const problems = passwordProblems(withCapital(password), context)
        return problems.length !== 1 || problems[0] !== TOO_COMMON
      }),
    ).toEqual([])
  })

  it('takes at most 1 in 1 000 of 100 000 unlisted passwords for a common one', () => {
    const corpus = unlistedPasswords(100_000, 2026)
    const refused = corpus.filter((password) =>
      passwordProblems(password, context).includes(TOO_COMMON),
    )
    // Stated: 1 in 1 000 (docs/recovery-flow.md). The set is built at 1 in 2 048; this corpus
    // measures 64 in 100 000 (0.064 %).
    expect(refused.length / corpus.length).toBeLessThanOrEqual(1 / 1000)
  })

  it('serves the list in 8 KiB at most, and refuses bytes that are not the set this build made', () => {
    expect(COMMON_PASSWORDS.byteLength).toBeLessThanOrEqual(8 * 1024)
    expect(() => commonPasswordCheck(new Uint8Array(COMMON_PASSWORDS.byteLength))).toThrow(
      'not the one this build made',
    )
  })
})

// Full-width forms (U+FF01..U+FF5E) are what a Japanese or Chinese keyboard types in its wide mode;
// NFKC maps them to ASCII (Unicode UAX #15), so they are hashed as the ASCII password.
const fullWidth = (ascii: string) =>
  ascii.replace(/[!-~]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0))

// 9 code points as a keyboard that composes accents afterwards types them (A + grave, a + acute,
// 1, e + acute twice), 5 characters once composed: "Àá1éé".
const FIVE_WHEN_COMPOSED = 'A\u0300a\u03011e\u0301e\u0301'

describe('the policy judges the password as it is hashed (NFKC)', () => {
  const context = { minLength: 8, familyNumber: '123456780123456' }

  it('counts the characters left once accents are composed, not the code points typed', () => {
    expect([...FIVE_WHEN_COMPOSED]).toHaveLength(9)
    expect(passwordProblems(FIVE_WHEN_COMPOSED, context)).toEqual([
      'Le mot de passe doit compter au moins 8 caractères.',
    ])
  })

  it('counts a ligature as the letters it is hashed as', () => {
    // "ﬃ" is hashed as "ffi": 6 characters typed, 10 hashed.
    expect(passwordProblems('\ufb03\ufb03Aa1x', context)).toEqual([])
  })

  it('finds the family number typed in full-width digits', () => {
    expect(passwordProblems(`Soleil${fullWidth(context.familyNumber)}`, context)).toEqual([
      'Le mot de passe ne doit pas contenir votre numéro de famille.',
    ])
  })

  it('finds the temporary password and common passwords typed in full-width forms', () => {
    const temporary = (candidate: string) => candidate.toLowerCase() === 'c0ffee00c0ffee00'
    expect(
      passwordProblems(fullWidth('C0ffee00c0ffee00'), {
        ...context,
        isTemporaryPassword: temporary,
      }),
    ).toEqual(['Choisissez un mot de passe différent du mot de passe temporaire.'])
    expect(passwordProblems(fullWidth('Azerty123'), { ...context, isCommonPassword })).toEqual([
      'Ce mot de passe est trop courant et facile à deviner : choisissez-en un autre.',
    ])
  })

  it('counts superscript digits as the digits they are hashed as', () => {
    expect(passwordProblems('Soleil\u00b2\u2070\u00b2\u2076', context)).toEqual([])
  })
})

describe('POST /nouveau-mot-de-passe judges the password as it is hashed', () => {
  it('refuses a password of 5 characters once its accents are composed', async () => {
    const { family, browser } = await restricted()
    const response = await choose(browser, FIVE_WHEN_COMPOSED)
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain('au moins 8 caractères')
    expect((await reloadFamily(family.id)).passwordHash).toBeNull()
  })

  it('refuses the family number typed in full-width digits', async () => {
    const { family, browser } = await restricted()
    const response = await choose(browser, `Soleil${fullWidth(family.familyNumber)}`)
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain('ne doit pas contenir votre numéro de famille')
    expect((await reloadFamily(family.id)).passwordHash).toBeNull()
  })

  it('refuses the temporary password typed in full-width forms', async () => {
    const { family, browser, temporary } = await restricted()
    const firstLetter = temporary.search(/[a-f]/)
    const mixedCase =
      temporary.slice(0, firstLetter) +
      temporary[firstLetter]!.toUpperCase() +
      temporary.slice(firstLetter + 1)
    const response = await choose(browser, fullWidth(mixedCase))
    expect(response.status).toBe(422)
    expect(await textOf(response)).toContain(
      'Choisissez un mot de passe différent du mot de passe temporaire.',
    )
    expect((await reloadFamily(family.id)).passwordHash).toBeNull()
  })

  it('accepts a full-width password, and the family signs in with it typed in ASCII', async () => {
    const { family, browser } = await restricted()
    expect((await choose(browser, fullWidth('Jardin2026'))).status).toBe(303)
    expect((await signIn(family.familyNumber, 'Jardin2026')).headers.get('location')).toBe(
      '/espace',
    )
  })
})
