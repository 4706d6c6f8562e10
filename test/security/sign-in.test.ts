import { eq, like } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { attemptCounters, families, outbox, securityEvents } from '../../src/db/schema'
import { scryptComputations } from '../../src/services/passwords'
import {
  createFamily,
  db,
  mailsTo,
  post,
  reloadFamily,
  send,
  temporaryPasswordFromMail,
  textOf,
  uniqueFamilyNumber,
  Visitor,
  withoutNonces,
  letSpacingPass,
} from '../support/helpers'
import { signedInFamily } from '../support/signed-in'

/** Runs `action` and says how many scrypt hashes it computed. */
async function hashesDuring(action: () => Promise<unknown>): Promise<number> {
  const before = scryptComputations()
  await action()
  return scryptComputations() - before
}

const signIn = (identifier: string, password: string, ip?: string) =>
  post('/connexion', { identifier, password }, { ip })

describe('an unknown number looks and costs like a wrong password (one hash)', () => {
  it('gives the same answer and computes exactly one scrypt in each case', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const withoutPassword = await createFamily()
    const cases = [
      [family.familyNumber, 'Mauvais2026'],
      [uniqueFamilyNumber(), 'Mauvais2026'],
      [withoutPassword.familyNumber, 'Mauvais2026'],
    ] as const
    const answers: string[] = []
    for (const [identifier, password] of cases) {
      let response!: Response
      expect(await hashesDuring(async () => (response = await signIn(identifier, password)))).toBe(
        1,
      )
      expect(response.status).toBe(422)
      answers.push(withoutNonces(await response.text()).replace(identifier, 'NUMBER'))
    }
    expect(answers[1]).toBe(answers[0])
    expect(answers[2]).toBe(answers[0])
  })

  it('answers a family whose stored hash needs more memory than an isolate gives like a wrong password', async () => {
    const key = btoa(String.fromCharCode(...new Uint8Array(32)))
    const family = await createFamily()
    await db
      .update(families)
      .set({ passwordHash: `scrypt$20$8$1$${btoa('sixteen-byte-salt')}$${key}` })
      .where(eq(families.id, family.id))
    const known = await createFamily({ password: 'Soleil2026' })
    let response!: Response
    expect(
      await hashesDuring(async () => (response = await signIn(family.familyNumber, 'Soleil2026'))),
    ).toBe(1)
    expect(response.status).toBe(422)
    const wrong = await signIn(known.familyNumber, 'Mauvais2026')
    expect(withoutNonces(await response.text()).replace(family.familyNumber, 'NUMBER')).toBe(
      withoutNonces(await wrong.text()).replace(known.familyNumber, 'NUMBER'),
    )
  })

  it('computes one scrypt for a right password too', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    expect(await hashesDuring(() => signIn(family.familyNumber, 'Soleil2026'))).toBe(1)
  })
})

describe('repeated sign-ins and mails are throttled, counted in D1', () => {
  it('answers 429 "réessayez dans 15 minutes" after 5 failures on a number, without hashing', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    for (let i = 0; i < 5; i++)
      expect((await signIn(family.familyNumber, `Faux${i}Faux`)).status).toBe(422)
    let limited!: Response
    expect(
      await hashesDuring(async () => (limited = await signIn(family.familyNumber, 'Soleil2026'))),
    ).toBe(0)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('900')
    expect(await textOf(limited)).toContain('réessayez dans 15 minutes')
  })

  it('limits an unknown number exactly like a known one, so a 429 reveals nothing', async () => {
    const known = await createFamily({ password: 'Soleil2026' })
    const unknown = uniqueFamilyNumber()
    const statuses = async (identifier: string) => {
      const seen = []
      for (let i = 0; i < 6; i++) seen.push((await signIn(identifier, 'Faux2026x')).status)
      return seen
    }
    expect(await statuses(unknown)).toEqual(await statuses(known.familyNumber))
    expect(await statuses(uniqueFamilyNumber())).toEqual([422, 422, 422, 422, 422, 429])
  })

  it('limits one client address across numbers (30 by default)', async () => {
    const ip = '127.51.100.7'
    for (let i = 0; i < 30; i++)
      expect((await signIn(uniqueFamilyNumber(), 'Faux2026x', ip)).status).toBe(422)
    const limited = await signIn(uniqueFamilyNumber(), 'Faux2026x', ip)
    expect(limited.status).toBe(429)
    expect((await signIn(uniqueFamilyNumber(), 'Faux2026x', '127.51.100.8')).status).toBe(422)
  })

  it('keeps the counts in D1 under hashed keys, never the number or the address', async () => {
    const number = uniqueFamilyNumber()
    await signIn(number, 'Faux2026x', '127.0.113.9')
    const keys = (await db.select().from(attemptCounters)).map((row) => row.key).join(' ')
    expect(keys).not.toContain(number)
    expect(keys).not.toContain('127.0.113.9')
    expect(
      await db.select().from(attemptCounters).where(like(attemptCounters.key, 'signin-number:%')),
    ).not.toHaveLength(0)
  })

  it('gives back only the attempt a successful sign-in counted: the failures before it still count', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    for (let i = 0; i < 4; i++) await signIn(family.familyNumber, 'Faux2026x')
    expect((await signIn(family.familyNumber, 'Soleil2026')).status).toBe(303)
    expect((await signIn(family.familyNumber, 'Faux2026x')).status).toBe(422)
    expect((await signIn(family.familyNumber, 'Faux2026x')).status).toBe(429)
  })

  it("does not reset a number's failures when its family changes its password (nothing to learn for a stranger)", async () => {
    const family = await createFamily()
    for (let i = 0; i < 4; i++) await signIn(family.familyNumber, 'Faux2026x')
    const browser = new Visitor()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    await browser.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect((await signIn(family.familyNumber, 'Faux2026x')).status).toBe(422)
    expect((await signIn(family.familyNumber, 'Faux2026x')).status).toBe(429)
  })

  it('does not count a successful sign-in or password change against the client address', async () => {
    const ip = '127.51.100.99'
    const family = await createFamily({ password: 'Soleil2026' })
    const browser = new Visitor()
    await browser.post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { ip },
    )
    for (let i = 0; i < 29; i++) await signIn(uniqueFamilyNumber(), 'Faux2026x', ip)
    const change = await browser.post(
      '/nouveau-mot-de-passe',
      { current_password: 'Soleil2026', new_password: 'Jardin2026', confirmation: 'Jardin2026' },
      { ip },
    )
    expect(change.status).toBe(303)
    expect((await signIn(uniqueFamilyNumber(), 'Faux2026x', ip)).status).toBe(422)
    expect((await signIn(uniqueFamilyNumber(), 'Faux2026x', ip)).status).toBe(429)
  })

  it('sends at most 3 temporary-password mails per number and client per hour, then 429 and nothing sent', async () => {
    const family = await createFamily()
    const ip = '127.51.100.31'
    for (let i = 0; i < 3; i++) {
      expect(
        (await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { ip })).status,
      ).toBe(200)
      // Past the spacing each time, so every request may mail and only the hourly limit stops them.
      await letSpacingPass(family.id)
    }
    const limited = await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { ip })
    expect(limited.status).toBe(429)
    expect(await textOf(limited)).toContain('réessayez dans 60 minutes')
    expect(await mailsTo(family.email!)).toHaveLength(3)
    const unknown = uniqueFamilyNumber()
    const statuses = []
    for (let i = 0; i < 4; i++)
      statuses.push((await post('/mot-de-passe-oublie', { identifier: unknown }, { ip })).status)
    expect(statuses).toEqual([200, 200, 200, 429])
  })

  it('caps bursts of posts per client address before any D1 work (Rate Limiting binding)', async () => {
    // The binding counts in windows aligned to the clock's minutes: start well inside one.
    const intoMinute = Date.now() % 60_000
    if (intoMinute > 40_000) await new Promise((wait) => setTimeout(wait, 60_500 - intoMinute))
    const ip = '127.0.2.200'
    for (let i = 0; i < 60; i++) {
      expect((await post('/mot-de-passe-oublie', { identifier: 'x' }, { ip })).status).toBe(422)
    }
    const eventsBefore = (await db.select().from(securityEvents)).length
    const countersBefore = (await db.select().from(attemptCounters)).length
    const limited = await post(
      '/connexion',
      { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
      { ip },
    )
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('60')
    expect(await textOf(limited)).toContain('réessayez dans 1 minute')
    expect((await db.select().from(securityEvents)).length).toBe(eventsBefore)
    expect((await db.select().from(attemptCounters)).length).toBe(countersBefore)
  }, 45_000)
})

describe('hashes carry their parameters and are upgraded', () => {
  it('re-hashes a weaker hash with the configured parameters at the next successful sign-in', async () => {
    const family = await createFamily()
    const { hashPassword } = await import('../../src/services/passwords')
    const { families } = await import('../../src/db/schema')
    await db
      .update(families)
      .set({ passwordHash: await hashPassword('Soleil2026', { logN: 9, r: 8, p: 1 }) })
      .where(eq(families.id, family.id))
    expect((await reloadFamily(family.id)).passwordHash).toMatch(/^scrypt\$9\$8\$1\$/)

    await signIn(family.familyNumber, 'Faux2026x')
    expect((await reloadFamily(family.id)).passwordHash).toMatch(/^scrypt\$9\$8\$1\$/)

    expect((await signIn(family.familyNumber, 'Soleil2026')).status).toBe(303)
    const upgraded = (await reloadFamily(family.id)).passwordHash!
    expect(upgraded).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/)
    expect((await signIn(family.familyNumber, 'Soleil2026')).status).toBe(303)
    expect((await reloadFamily(family.id)).passwordHash).toBe(upgraded)
  })
})

describe('GET requests change nothing', () => {
  it('has no sign-out on GET', async () => {
    const { family, browser } = await signedInFamily()
    expect((await browser.get('/deconnexion')).status).toBe(404)
    expect((await browser.get('/espace')).status).toBe(200)
    expect((await send('/mot-de-passe-oublie?identifier=' + family.familyNumber)).status).toBe(200)
    expect(await db.select().from(outbox).where(eq(outbox.recipient, family.email!))).toHaveLength(
      0,
    )
  })
})
