import { and, eq, like } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { attemptCounters, outbox, securityEvents } from '../../src/db/schema'
import { sha256Hex } from '../../src/services/crypto'
import { scryptComputations } from '../../src/services/passwords'
import {
  clientKeyOf,
  createFamily,
  db,
  DEPLOYED,
  mailsTo,
  post,
  readable,
  runCron,
  setCookies,
  temporaryPasswordFromMail,
  textOf,
  uniqueFamilyNumber,
  Visitor,
  withoutNonces,
} from '../support/helpers'
import { familyWithDevice } from '../support/signed-in'
import { FakeMailApi } from '../support/mail-api'
import { lockNumber as lockNumberFrom } from '../support/strangers'

// A stranger who knows a family number (they are printed on every invoice) can neither lock the
// family out nor use up its mails. Each scenario an attacker tried against the first version is
// replayed here and ends with the family signed in.

afterEach(() => {
  vi.restoreAllMocks()
})

// Each test's stranger has an address of its own: the per-client counters would otherwise carry over.
let strangers = 0
const nextStranger = () => `127.0.113.${++strangers}`
let STRANGER = nextStranger()
beforeEach(() => {
  STRANGER = nextStranger()
})

async function hashesDuring(action: () => Promise<unknown>): Promise<number> {
  const before = scryptComputations()
  await action()
  return scryptComputations() - before
}

const lockNumber = (familyNumber: string, ip: string = STRANGER) => lockNumberFrom(familyNumber, ip)

describe('scenario 1: wrong sign-ins by a stranger no longer lock the family out', () => {
  it("lets the family's phone in with its password while the number is locked for everyone else", async () => {
    const { family, device: phone } = await familyWithDevice()
    await lockNumber(family.familyNumber)

    const unknownBrowser = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { ip: '127.51.100.5' },
    )
    expect(unknownBrowser.status).toBe(429)

    const fromPhone = await phone.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(fromPhone.status).toBe(303)
    expect(fromPhone.headers.get('location')).toBe('/espace')
    expect((await phone.get('/espace')).status).toBe(200)
  })

  it("lets the phone in even from the stranger's own address (a shared carrier address)", async () => {
    const { family, device: phone } = await familyWithDevice()
    await lockNumber(family.familyNumber)
    for (let i = 0; i < 30; i++) {
      await post(
        '/connexion',
        { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
        { ip: STRANGER },
      )
    }
    const fromPhone = await phone.post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { ip: STRANGER },
    )
    expect(fromPhone.headers.get('location')).toBe('/espace')
  })

  it('keeps the family in when the stranger posts six guesses every window, window after window', async () => {
    const { family, device: phone } = await familyWithDevice()
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    try {
      for (let window = 0; window < 4; window++) {
        vi.setSystemTime(start + window * 16 * 60_000)
        for (let i = 0; i < 6; i++) {
          await post(
            '/connexion',
            { identifier: family.familyNumber, password: 'Faux2026x' },
            { ip: STRANGER },
          )
        }
        const fromPhone = await phone.post('/connexion', {
          identifier: family.familyNumber,
          password: 'Soleil2026',
        })
        expect(fromPhone.headers.get('location'), `window ${window}`).toBe('/espace')
        await phone.post('/deconnexion', {})
      }
    } finally {
      vi.useRealTimers()
    }
  })

  it('slows the phone down on its own repeated failures, and only the phone', async () => {
    const { family, device: phone } = await familyWithDevice()
    for (let i = 0; i < 5; i++) {
      const answer = await phone.post('/connexion', {
        identifier: family.familyNumber,
        password: 'Faux2026x',
      })
      expect(answer.status).toBe(422)
    }
    const slowed = await phone.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(slowed.status).toBe(429)
    // The number itself was not locked by the phone's failures.
    const other = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(other.headers.get('location')).toBe('/espace')
  })

  it('gives the device cookie __Host-, HttpOnly, Secure, for a year, with nothing personal in it', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const answer = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    const device = setCookies(answer).get('__Host-device')!
    expect(device.attributes).toMatch(/Max-Age=31536000/)
    expect(device.attributes.split(/;\s*/)).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']),
    )
    expect(device.value).not.toContain(family.familyNumber)
    expect(device.value).not.toContain(family.email!)
  })

  it("trusts no forged device cookie, nor one signed for another family's number", async () => {
    const { family } = await familyWithDevice()
    const other = await familyWithDevice()
    await lockNumber(family.familyNumber)
    const othersToken = other.device.cookieValue('__Host-device')!
    const [issuedAt, id] = othersToken.split('.')
    const forged = `${issuedAt}.${id}.${'0'.repeat(64)}`
    for (const token of [othersToken, forged, 'garbage']) {
      const answer = await post(
        '/connexion',
        { identifier: family.familyNumber, password: 'Soleil2026' },
        { cookie: `__Host-device=${token}` },
      )
      expect(answer.status, token).toBe(429)
    }
  })
})

describe('scenario 2: a stranger cannot use up the mails, and a temporary password always works', () => {
  it('leaves the family a live temporary password in its mailbox whatever a stranger asks, and opens the way while the number is locked', async () => {
    const family = await createFamily()
    for (let i = 0; i < 3; i++) {
      expect(
        (await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { ip: STRANGER }))
          .status,
      ).toBe(200)
    }
    const refused = await post(
      '/mot-de-passe-oublie',
      { identifier: family.familyNumber },
      { ip: STRANGER },
    )
    expect(refused.status).toBe(429)
    // Spaced: one mail for the stranger's three requests, and the family's own inside the spacing
    // adds none, since the live one is already in its mailbox.
    const home = new Visitor()
    const own = await home.post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    expect(own.status).toBe(200)
    expect(await mailsTo(family.email!)).toHaveLength(1)

    // The number is locked for unknown clients too: the mailed password still opens the way.
    await lockNumber(family.familyNumber)
    let signedIn!: Response
    const hashes = await hashesDuring(async () => {
      signedIn = await home.post('/connexion', {
        identifier: family.familyNumber,
        password: await temporaryPasswordFromMail(family.email!),
      })
    })
    expect(hashes).toBe(0)
    expect(signedIn.headers.get('location')).toBe('/nouveau-mot-de-passe')
    const saved = await home.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(saved.headers.get('location')).toBe('/connexion')
    const again = await home.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Jardin2026',
    })
    expect(again.headers.get('location')).toBe('/espace')
  })

  it("mails the family's own request after a day of a stranger's requests from many addresses, once the last password has expired", async () => {
    const family = await createFamily()
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    try {
      // A request every 16 minutes from four addresses in turn, for 6 hours: 23 requests.
      for (let round = 0; round < 23; round++) {
        vi.setSystemTime(start + round * 16 * 60_000)
        const ip = `127.51.100.${60 + (round % 4)}`
        await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { ip })
      }
      // Bounded: one mail per spacing at most (96 a day at the default).
      expect((await mailsTo(family.email!)).length).toBeLessThanOrEqual(23)
      await lockNumber(family.familyNumber, '127.51.100.64')
      // The last mailed password expires; the family asks from a browser it never used.
      vi.setSystemTime(start + 22 * 16 * 60_000 + 61 * 60_000)
      const before = (await mailsTo(family.email!)).length
      const home = new Visitor()
      await home.post('/mot-de-passe-oublie', { identifier: family.familyNumber })
      expect(await mailsTo(family.email!)).toHaveLength(before + 1)
      const signedIn = await home.post('/connexion', {
        identifier: family.familyNumber,
        password: await temporaryPasswordFromMail(family.email!),
      })
      expect(signedIn.headers.get('location')).toBe('/nouveau-mot-de-passe')
    } finally {
      vi.useRealTimers()
    }
  })

  it('answers a request inside the spacing with the usual page and issues nothing new', async () => {
    const family = await createFamily()
    const page = async (ip: string) => {
      const answer = await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { ip })
      expect(answer.status).toBe(200)
      return withoutNonces(await answer.text())
    }
    const first = await page('127.51.100.200')
    const live = await temporaryPasswordFromMail(family.email!)
    expect(await page('127.51.100.201')).toBe(first)
    expect(await mailsTo(family.email!)).toHaveLength(1)
    // The mailed password is still the live one.
    const signedIn = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: live,
    })
    expect(signedIn.headers.get('location')).toBe('/nouveau-mot-de-passe')
    const spaced = await db
      .select()
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.familyId, family.id),
          eq(securityEvents.detail, 'inside the spacing: nothing new issued'),
        ),
      )
    expect(spaced).toHaveLength(1)
  })

  it('answers a client past its own hourly limit, across numbers, with 429', async () => {
    const ip = '127.51.100.77'
    for (let i = 0; i < 20; i++) {
      expect(
        (await post('/mot-de-passe-oublie', { identifier: uniqueFamilyNumber() }, { ip })).status,
      ).toBe(200)
    }
    const refused = await post('/mot-de-passe-oublie', { identifier: uniqueFamilyNumber() }, { ip })
    expect(refused.status).toBe(429)
    expect(await textOf(refused)).toContain('réessayez dans')
    expect((await post('/mot-de-passe-oublie', { identifier: uniqueFamilyNumber() })).status).toBe(
      200,
    )
  })

  it("delays mail past the global hourly budget, never drops it: it leaves when the budget reopens, a trusted browser's first", async () => {
    await db.delete(attemptCounters).where(like(attemptCounters.key, 'mail-budget:%'))
    await db.delete(attemptCounters).where(like(attemptCounters.key, 'log-once:%'))
    const logged: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)))
    const env = { MAIL_BUDGET_PER_HOUR: '2' }
    const { family: trusted, device: phone } = await familyWithDevice()
    const families = [
      await createFamily(),
      await createFamily(),
      await createFamily(),
      await createFamily(),
    ]
    const pages = []
    for (const family of families) {
      const answer = await post(
        '/mot-de-passe-oublie',
        { identifier: family.familyNumber },
        { env },
      )
      expect(answer.status).toBe(200)
      pages.push(withoutNonces(await answer.text()))
    }
    await phone.post('/mot-de-passe-oublie', { identifier: trusted.familyNumber }, { env })
    expect(new Set(pages).size).toBe(1)
    const newest = async (family: { email: string | null }) => (await mailsTo(family.email!))[0]!
    const statuses = async () =>
      Promise.all([...families, trusted].map(async (family) => (await newest(family)).status))
    expect(await statuses()).toEqual(['delivered', 'delivered', 'pending', 'pending', 'pending'])
    expect(logged.filter((line) => line.includes('"mail_budget_exhausted"'))).toHaveLength(1)

    // When the hour's budget reopens (before the waiting passwords expire), the cron sends 2 of the
    // 3 waiting mails: the trusted browser's, and one of the others; the third waits again.
    const reopens = (await newest(trusted)).nextAttemptAt
    expect(reopens).toBeLessThan((await newest(trusted)).expiresAt!)
    await runCron(reopens, env)
    const after = await statuses()
    expect(after[4]).toBe('delivered')
    expect(after.slice(2, 4).sort()).toEqual(['delivered', 'pending'])
    await db.delete(attemptCounters).where(like(attemptCounters.key, 'mail-budget:%'))
  })
})

describe('scenario 3: one client is one network', () => {
  // IPv6 clients are not on loopback: a deployed Worker, whose scrypt is at the floor, so each
  // attempt is a wrong password for a family of its own (hashed cheaply) rather than an unknown number.
  async function wrongPasswordFrom(ip: string) {
    const family = await createFamily({ password: 'Soleil2026' })
    let status = 0
    const hashes = await hashesDuring(async () => {
      const answer = await post(
        '/connexion',
        { identifier: family.familyNumber, password: 'Faux2026x' },
        { ip, ...DEPLOYED },
      )
      status = answer.status
    })
    return { status, hashes }
  }

  it('limits 32 addresses of one IPv6 /64 as one client, and the refused ones cost no hash', async () => {
    const prefix = '2001:db8:4a:7f01'
    const statuses: number[] = []
    let hashes = 0
    for (let i = 1; i <= 32; i++) {
      const ip = `${prefix}:${i.toString(16)}:0:0:${(i * 7).toString(16)}`
      const answer = await wrongPasswordFrom(ip)
      statuses.push(answer.status)
      hashes += answer.hashes
    }
    expect(statuses.slice(0, 30).every((status) => status === 422)).toBe(true)
    expect(statuses.slice(30)).toEqual([429, 429])
    expect(hashes).toBe(30)
    // Another /64 is another client.
    expect((await wrongPasswordFrom('2001:db8:4a:7f02::1')).status).toBe(422)
  }, 30_000)
})

describe('scenario 4: client addresses are keyed, not merely hashed', () => {
  it('stores an HMAC of the network: not the SHA-256 of the address, the same across one /64', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Faux2026x' },
      { ip: '2001:db8:1:2::a', ...DEPLOYED },
    )
    await post(
      '/connexion',
      { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
      { ip: '127.0.2.44' },
    )
    const keys = (await db.select().from(securityEvents)).map((event) => event.clientKey)
    expect(keys).toContain(clientKeyOf('2001:db8:1:2:ffff::b'))
    expect(keys).toContain(clientKeyOf('127.0.2.44'))
    expect(keys).not.toContain(sha256Hex('127.0.2.44'))
    expect(keys).not.toContain(sha256Hex('2001:db8:1:2::a'))
    expect(clientKeyOf('127.0.2.44')).not.toBe(clientKeyOf('127.0.2.45'))
  })
})

describe('refusals stay cheap', () => {
  it('computes no hash and writes no row for a refused post (one event per key and block)', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const ip = '127.51.100.123'
    await lockNumber(family.familyNumber, ip)
    const events = async () =>
      (
        await db
          .select()
          .from(securityEvents)
          .where(eq(securityEvents.clientKey, clientKeyOf(ip)))
      ).length
    const counters = async () => (await db.select().from(attemptCounters)).length
    const [eventsBefore, countersBefore] = [await events(), await counters()]
    const hashes = await hashesDuring(async () => {
      for (let i = 0; i < 20; i++) {
        const refused = await post(
          '/connexion',
          { identifier: family.familyNumber, password: 'Faux2026x' },
          { ip },
        )
        expect(refused.status).toBe(429)
      }
    })
    expect(hashes).toBe(0)
    expect(await events()).toBe(eventsBefore)
    expect(await counters()).toBe(countersBefore)
  })

  it('answers 429 with when to retry, and always offers « Mot de passe oublié »', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    await lockNumber(family.familyNumber)
    const refused = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { ip: STRANGER },
    )
    const html = await refused.text()
    expect(readable(html)).toMatch(/réessayez dans \d+ minutes?/)
    expect(html).toContain('href="/mot-de-passe-oublie"')
  })
})

describe('the provider quota', () => {
  it('keeps a mail refused for quota pending (never failed) and logs mail_budget_exhausted once an hour', async () => {
    await db.delete(attemptCounters).where(like(attemptCounters.key, 'log-once:%'))
    await db.delete(attemptCounters).where(like(attemptCounters.key, 'mail-budget:%'))
    const logged: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)))
    const api = new FakeMailApi('quota-app')
    await api.script([402, 429])
    const [first, second] = [await createFamily(), await createFamily()]
    for (const family of [first, second]) {
      await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env: api.env() })
    }
    const statuses = await db
      .select({ status: outbox.status, lastError: outbox.lastError })
      .from(outbox)
      .where(eq(outbox.recipient, first.email!))
    expect(statuses).toEqual([{ status: 'pending', lastError: 'HTTP 402' }])
    expect(logged.filter((line) => line.includes('"mail_budget_exhausted"'))).toHaveLength(1)
  })
})
