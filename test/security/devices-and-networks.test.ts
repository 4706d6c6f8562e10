import { and, eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { securityEvents, sessions } from '../../src/db/schema'
import { FakeAccessTeam } from '../support/access'
import {
  createFamily,
  DEPLOYED,
  post,
  db,
  runCron,
  temporaryPasswordFromMail,
  textOf,
  uniqueFamilyNumber,
  Visitor,
  postAsAgent,
  sendAsAgent,
} from '../support/helpers'
import { lockNumber as lockNumberFrom } from '../support/strangers'
import { rememberedDevice, signedInFamily } from '../support/signed-in'

// What a stranger, a former partner or a busy network could still do after the first anti-lockout
// design, replayed: each ends with the attacker limited and the family through.

let addresses = 0
const freshIp = () => `127.0.114.${++addresses}`

const lockNumber = (familyNumber: string) => lockNumberFrom(familyNumber, freshIp())

describe('a temporary password forgives nothing', () => {
  it('does not reset a network’s failures: guesses between sign-ins with a live temporary password still reach 429', async () => {
    const env = { SIGNIN_FAILURES_PER_CLIENT: '5' }
    const holder = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: holder.familyNumber })
    const temporary = await temporaryPasswordFromMail(holder.email!)
    const ip = freshIp()
    const guesses: number[] = []
    for (let i = 0; i < 6; i++) {
      const guess = await post(
        '/connexion',
        { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
        { ip, env },
      )
      guesses.push(guess.status)
      const withTemporary = await post(
        '/connexion',
        { identifier: holder.familyNumber, password: temporary },
        { ip, env },
      )
      expect(withTemporary.headers.get('location')).toBe('/nouveau-mot-de-passe')
    }
    expect(guesses).toEqual([422, 422, 422, 422, 422, 429])
  }, 30_000)

  it('opens at most 10 restricted sessions per temporary password, and records its use once', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    const statuses = []
    for (let i = 0; i < 11; i++) {
      const answer = await post('/connexion', {
        identifier: family.familyNumber,
        password: temporary,
      })
      statuses.push(answer.status)
    }
    expect(statuses).toEqual([...Array(10).fill(303), 422])
    const rows = await db.select().from(sessions).where(eq(sessions.familyId, family.id))
    expect(rows).toHaveLength(10)
    const used = await db
      .select()
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.familyId, family.id),
          eq(securityEvents.type, 'temporary_password_used'),
        ),
      )
    expect(used).toHaveLength(1)
  }, 30_000)
})

describe('device cookies are bound to the password', () => {
  it('treats a cookie from before a password change as an unknown client', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const phone = await rememberedDevice(family.familyNumber, 'Soleil2026')
    const formerPartner = await rememberedDevice(family.familyNumber, 'Soleil2026')
    await lockNumber(family.familyNumber)
    // Before the change, the former partner's cookie still has its own budget.
    const before = await formerPartner.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Faux2026x',
    })
    expect(before.status).toBe(422)

    await phone.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    const changed = await phone.post('/nouveau-mot-de-passe', {
      current_password: 'Soleil2026',
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(changed.headers.get('location')).toBe('/connexion')
    await lockNumber(family.familyNumber)
    const after = await formerPartner.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Faux2026x',
    })
    expect(after.status).toBe(429)
    // The phone that changed the password got a cookie signed for the new one.
    const home = await phone.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Jardin2026',
    })
    expect(home.headers.get('location')).toBe('/espace')
  })

  it('makes every device an unknown client once a temporary password is used', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const phone = await rememberedDevice(family.familyNumber, 'Soleil2026')
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const withTemporary = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    expect(withTemporary.headers.get('location')).toBe('/nouveau-mot-de-passe')
    await lockNumber(family.familyNumber)
    const fromPhone = await phone.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(fromPhone.status).toBe(429)
  })

  it('honours only the 10 most recent devices of a family', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const browsers = []
    for (let i = 0; i < 11; i++) {
      browsers.push(await rememberedDevice(family.familyNumber, 'Soleil2026'))
    }
    await lockNumber(family.familyNumber)
    const oldest = await browsers[0]!.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(oldest.status).toBe(429)
    const newest = await browsers[10]!.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(newest.headers.get('location')).toBe('/espace')
  }, 30_000)

  it('keeps one device per browser however often it signs in', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const phone = await rememberedDevice(family.familyNumber, 'Soleil2026')
    for (let i = 0; i < 11; i++) {
      await phone.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    }
    await lockNumber(family.familyNumber)
    const again = await phone.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(again.headers.get('location')).toBe('/espace')
  }, 30_000)

  it('counts failures through all device cookies toward a per-number total (4 × the per-number cap)', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const browsers = []
    for (let i = 0; i < 6; i++) {
      browsers.push(await rememberedDevice(family.familyNumber, 'Soleil2026'))
    }
    for (const browser of browsers.slice(0, 5)) {
      for (let i = 0; i < 4; i++) {
        const failed = await browser.post('/connexion', {
          identifier: family.familyNumber,
          password: 'Faux2026x',
        })
        expect(failed.status).toBe(422)
      }
    }
    const sixth = await browsers[5]!.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(sixth.status).toBe(429)
  }, 30_000)
})

describe("the agents' family page shows the devices and can forget them", () => {
  let team: FakeAccessTeam
  beforeAll(async () => {
    team = await new FakeAccessTeam().publish()
  })
  // A POST is an action, confirmed (the first post only asks: test/routes/agents.test.ts).
  const asAgent = (path: string, method: 'GET' | 'POST' = 'GET') =>
    method === 'POST' ? postAsAgent(team, path, { confirmation: 'oui' }) : sendAsAgent(team, path)

  it('lists first and last sign-in of each device, never the cookie, and forgets them all', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const phone = await rememberedDevice(family.familyNumber, 'Soleil2026')
    await rememberedDevice(family.familyNumber, 'Soleil2026')
    const page = await asAgent(`/agents/familles/${family.familyNumber}`)
    const html = await page.text()
    expect(html).toContain('Appareils de confiance')
    const [, id] = phone.cookieValue('__Host-device')!.split('.')
    expect(html).not.toContain(id!)
    const section = html.split('Appareils de confiance</h2>')[1]!.split('<h2>')[0]!
    // A header row and one row per device.
    expect(section.match(/<tr>/g)).toHaveLength(3)

    const forgotten = await asAgent(
      `/agents/familles/${family.familyNumber}/oubli-des-appareils`,
      'POST',
    )
    expect(await textOf(forgotten)).toContain('2 appareil(s) oublié(s)')
    await lockNumber(family.familyNumber)
    const fromPhone = await phone.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    expect(fromPhone.status).toBe(429)
  })
})

describe('networks, not addresses', () => {
  // IPv6 clients are never loopback: played against a deployed configuration. Requests for mail
  // cost no hash, so each network's cap is reached quickly (one mail request per /64 an hour).
  const ask = (ip: string) =>
    post(
      '/mot-de-passe-oublie',
      { identifier: uniqueFamilyNumber() },
      { ip, ...DEPLOYED, env: { ...DEPLOYED.env, MAILS_PER_CLIENT_PER_HOUR: '1' } },
    )

  it('counts an IPv6 client at its /56 with 4 × the cap', async () => {
    const statuses = []
    // Five /64s of one /56 (2001:db8:56:100::/56), one request each.
    for (let i = 0; i < 5; i++) statuses.push((await ask(`2001:db8:56:1${i}0::1`)).status)
    expect(statuses).toEqual([200, 200, 200, 200, 429])
  })

  it('counts an IPv6 client at its /48 with 16 × the cap', async () => {
    const statuses = []
    // Seventeen /56s of one /48 (2001:db8:48::/48), one request each.
    for (let i = 0; i < 17; i++) {
      statuses.push((await ask(`2001:db8:48:${(i + 1).toString(16)}00::1`)).status)
    }
    expect(statuses).toEqual([...Array(16).fill(200), 429])
    // Another /48 is another client.
    expect((await ask('2001:db8:49::1')).status).toBe(200)
  })
})

describe('bounded rows for successful sign-ins', () => {
  it('purges sessions idle past their time-out in the cron run', async () => {
    const { family, browser } = await signedInFamily()
    const count = async () =>
      (await db.select().from(sessions).where(eq(sessions.familyId, family.id))).length
    await runCron(Date.now() + 29 * 60_000)
    expect(await count()).toBe(1)
    await runCron(Date.now() + 31 * 60_000)
    expect(await count()).toBe(0)
  })
})
