import { and, eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { temporaryPasswords } from '../../src/db/schema'
import { sha256Hex } from '../../src/services/crypto'
import {
  createFamily,
  db,
  mailsTo,
  post,
  snapshotDatabase,
  temporaryPasswordFromMail,
  uniqueFamilyNumber,
  Visitor,
  withoutNonces,
  letSpacingPass,
} from '../support/helpers'
import { FakeMailApi } from '../support/mail-api'

afterEach(() => {
  vi.useRealTimers()
})

async function answerFor(identifier: string, env?: Record<string, unknown>) {
  const response = await post('/mot-de-passe-oublie', { identifier }, { env })
  const headers = [...response.headers]
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${withoutNonces(value)}`)
  return { status: response.status, headers, body: withoutNonces(await response.text()) }
}

describe('the forgot-password answer tells nothing about the number', () => {
  it('is identical for a known number, an unknown number and a family without e-mail', async () => {
    const known = await createFamily()
    const withoutMail = await createFamily({ email: null })
    const answers = [
      await answerFor(known.familyNumber),
      await answerFor(uniqueFamilyNumber()),
      await answerFor(withoutMail.familyNumber),
    ]
    expect(answers[0]!.status).toBe(200)
    expect(answers[1]).toEqual(answers[0])
    expect(answers[2]).toEqual(answers[0])
  })

  it('does not wait for the mail API: a provider that never answers still gets the page at once', async () => {
    const api = new FakeMailApi('hang')
    await api.script([], 'hang')
    const family = await createFamily()
    const response = await post(
      '/mot-de-passe-oublie',
      { identifier: family.familyNumber },
      { env: api.env(), waitForBackground: false },
    )
    expect(response.status).toBe(200)
    const raced = await Promise.race([
      response.settled.then(() => 'mail finished'),
      new Promise((resolve) => setTimeout(() => resolve('page already answered'), 300)),
    ])
    expect(raced).toBe('page already answered')
    expect(await api.received()).toHaveLength(1)
  })
})

describe('a malformed number gets a 422 with the rule', () => {
  it.each([
    '',
    '12345678901234',
    '1234567890123456',
    '12345678901234a',
    '１２３４５６７８９０１２３４５',
    '123 456 780 123 456',
  ])('gets 422 with the rule for %j, and nothing is written or sent', async (identifier) => {
    const api = new FakeMailApi('malformed')
    const before = await snapshotDatabase()
    const response = await post('/mot-de-passe-oublie', { identifier }, { env: api.env() })
    expect(response.status).toBe(422)
    expect(await response.text()).toMatch(/15 chiffres|Saisissez votre identifiant/)
    expect(await snapshotDatabase()).toEqual(before)
    expect(await api.received()).toHaveLength(0)
  })
})

describe('asking for a temporary password never touches the current one', () => {
  it('leaves the hash as it was, and the old password still signs in', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const response = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(response.headers.get('location')).toBe('/espace')
  })
})

describe('a temporary password is random, stored hashed, single-use and short-lived', () => {
  it('is 32 hex characters drawn from crypto.getRandomValues, different each time', async () => {
    // The platform CSPRNG, made to answer a known pattern: the mailed password must be exactly it
    // (a password from Math.random, or from bytes drawn and then ignored, would not be).
    const real = crypto.getRandomValues.bind(crypto)
    const spy = vi.spyOn(crypto, 'getRandomValues').mockImplementation(((array: Uint8Array) => {
      if (array.length !== 16) return real(array)
      array.forEach((_, index) => (array[index] = 0xa0 + index))
      return array
    }) as typeof crypto.getRandomValues)
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    spy.mockRestore()
    const first = await temporaryPasswordFromMail(family.email!)
    expect(first).toBe('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf')
    await letSpacingPass(family.id)
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const second = await temporaryPasswordFromMail(family.email!)
    expect(first).toMatch(/^[0-9a-f]{32}$/)
    expect(second).toMatch(/^[0-9a-f]{32}$/)
    expect(second).not.toBe(first)
  })

  it('is stored only as its SHA-256: once mailed, no table holds it in clear', async () => {
    const api = new FakeMailApi('clear')
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env: api.env() })
    const [request] = await api.received()
    const temporary = /Mot de passe : ([0-9a-f]{32})/.exec(
      JSON.parse(request!.body).textContent,
    )![1]!
    const dump = JSON.stringify(await snapshotDatabase())
    expect(dump).not.toContain(temporary)
    expect(dump).not.toContain(temporary.toUpperCase())
    const row = await db
      .select()
      .from(temporaryPasswords)
      .where(
        and(
          eq(temporaryPasswords.familyId, family.id),
          eq(temporaryPasswords.secretHash, sha256Hex(temporary)),
        ),
      )
      .get()
    expect(row).toBeDefined()
  })

  it('works until its expiry (60 minutes by default) and not a second after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const issuedAt = Date.now()
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    vi.setSystemTime(issuedAt + 60 * 60_000 - 1_000)
    const justBefore = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(justBefore.headers.get('location')).toBe('/nouveau-mot-de-passe')
    vi.setSystemTime(issuedAt + 60 * 60_000 + 1_000)
    const justAfter = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(justAfter.status).toBe(422)
  })

  it('follows TEMPORARY_PASSWORD_TTL_MINUTES', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const issuedAt = Date.now()
    const env = { TEMPORARY_PASSWORD_TTL_MINUTES: '15' }
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env })
    const temporary = await temporaryPasswordFromMail(family.email!)
    vi.setSystemTime(issuedAt + 16 * 60_000)
    const late = await new Visitor().post(
      '/connexion',
      { identifier: family.familyNumber, password: temporary },
      { env },
    )
    expect(late.status).toBe(422)
  })

  it('changes the password once only, even when ten changes race', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    const browsers = Array.from({ length: 10 }, () => new Visitor())
    for (const browser of browsers) {
      await browser.post('/connexion', { identifier: family.familyNumber, password: temporary })
    }
    const answers = await Promise.all(
      browsers.map((browser, index) =>
        browser.post('/nouveau-mot-de-passe', {
          new_password: `Course${index}Gagnee`,
          confirmation: `Course${index}Gagnee`,
        }),
      ),
    )
    const winners = answers.filter((answer) => answer.status === 303)
    expect(winners).toHaveLength(1)
    expect(answers.filter((answer) => answer.status === 422)).toHaveLength(9)
    const winner = answers.indexOf(winners[0]!)
    const signIn = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: `Course${winner}Gagnee`,
    })
    expect(signIn.headers.get('location')).toBe('/espace')
    expect(
      (await mailsTo(family.email!)).filter((mail) => mail.kind === 'password_changed'),
    ).toHaveLength(1)
  })

  it('is voided by a newer request', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const older = await temporaryPasswordFromMail(family.email!)
    await letSpacingPass(family.id)
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const newer = await temporaryPasswordFromMail(family.email!)
    const withOlder = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: older,
    })
    expect(withOlder.status).toBe(422)
    const withNewer = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: newer,
    })
    expect(withNewer.headers.get('location')).toBe('/nouveau-mot-de-passe')
  })

  it('cannot change the password from a session opened with a temporary password since replaced', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const older = await temporaryPasswordFromMail(family.email!)
    const browser = new Visitor()
    await browser.post('/connexion', { identifier: family.familyNumber, password: older })
    await letSpacingPass(family.id)
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const response = await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(response.status).toBe(422)
    expect(await response.text()).toContain('n&#39;est plus valable')
  })
})
