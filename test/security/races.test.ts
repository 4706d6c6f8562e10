import { eq, sql } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { families, sessions, temporaryPasswords } from '../../src/db/schema'
import { hashPassword, verifyPassword } from '../../src/services/passwords'
import { instrumentD1 } from '../support/d1-double'
import {
  createFamily,
  db,
  post,
  reloadFamily,
  send,
  setCookies,
  snapshotDatabase,
  temporaryPasswordFromMail,
  testEnv,
  TEST_SCRYPT,
  textOf,
  Visitor,
  letSpacingPass,
} from '../support/helpers'
import { signedInFamily, signedInWithTemporaryPassword } from '../support/signed-in'

// A password change always wins, a session is replaced at each sign-in, and a batch that
// fails at any statement leaves nothing half-done.

afterEach(() => {
  vi.useRealTimers()
})

/** What another request changing the family's password does to the row, at the worst moment. */
async function changePasswordBehindTheBack(familyId: number, password: string) {
  await db
    .update(families)
    .set({
      passwordHash: await hashPassword(password, TEST_SCRYPT),
      passwordVersion: sql`${families.passwordVersion} + 1`,
    })
    .where(eq(families.id, familyId))
}

const sessionsOf = (familyId: number) =>
  db.select().from(sessions).where(eq(sessions.familyId, familyId))

const opensSpace = async (cookie: string) => (await send('/espace', { cookie })).status === 200

describe('a password change wins every race', () => {
  it('opens no session for a sign-in whose password was changed between its check and its write', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const d1 = instrumentD1(testEnv.DB, {
      before: async (_, statement) => {
        if (/^insert into "sessions"/.test(statement)) {
          await changePasswordBehindTheBack(family.id, 'Jardin2026')
        }
      },
    })
    const answer = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { env: { DB: d1.db } },
    )
    expect(answer.status).toBe(422)
    expect(setCookies(answer).has('__Host-session')).toBe(false)
    expect(await sessionsOf(family.id)).toHaveLength(0)
  })

  it('never upgrades a hash over the one a change just saved', async () => {
    const weaker = { logN: TEST_SCRYPT.logN - 1, r: 8, p: 1 }
    const family = await createFamily()
    await db
      .update(families)
      .set({ passwordHash: await hashPassword('Soleil2026', weaker) })
      .where(eq(families.id, family.id))
    const d1 = instrumentD1(testEnv.DB, {
      before: async (_, statement) => {
        if (/^insert into "sessions"/.test(statement)) {
          await changePasswordBehindTheBack(family.id, 'Jardin2026')
        }
      },
    })
    await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { env: { DB: d1.db } },
    )
    const saved = (await reloadFamily(family.id)).passwordHash
    expect((await verifyPassword('Jardin2026', saved, TEST_SCRYPT)).matches).toBe(true)
  })

  it('opens no restricted session for a temporary password replaced between its check and its write', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    const d1 = instrumentD1(testEnv.DB, {
      before: async (_, statement) => {
        if (/^insert into "sessions"/.test(statement)) {
          await letSpacingPass(family.id)
          await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
        }
      },
    })
    const answer = await post(
      '/connexion',
      { identifier: family.familyNumber, password: temporary },
      { env: { DB: d1.db } },
    )
    expect(answer.status).toBe(422)
    expect(await sessionsOf(family.id)).toHaveLength(0)
  })

  it('leaves no session that opens /espace when sign-ins race a change, round after round', async () => {
    for (let round = 0; round < 8; round++) {
      const { family, browser: owner } = await signedInFamily()
      const racers = Array.from({ length: 4 }, () => new Visitor())
      const [change] = await Promise.all([
        owner.post('/nouveau-mot-de-passe', {
          current_password: 'Soleil2026',
          new_password: 'Jardin2026',
          confirmation: 'Jardin2026',
        }),
        ...racers.map((racer) =>
          racer.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' }),
        ),
      ])
      expect(change!.headers.get('location'), `round ${round}`).toBe('/connexion')
      for (const racer of racers) {
        if (!racer.cookieValue('__Host-session')) continue
        expect(await opensSpace(racer.cookie), `round ${round}`).toBe(false)
      }
      const saved = (await reloadFamily(family.id)).passwordHash
      expect((await verifyPassword('Jardin2026', saved, TEST_SCRYPT)).matches).toBe(true)
    }
  }, 60_000)
})

describe('signing in again replaces the session', () => {
  it('deletes the previous session of the browser and gives a new token', async () => {
    const { family, browser } = await signedInFamily()
    const first = browser.cookie
    await browser.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    expect(browser.cookie).not.toBe(first)
    expect(await opensSpace(first)).toBe(false)
    expect(await opensSpace(browser.cookie)).toBe(true)
    expect(await sessionsOf(family.id)).toHaveLength(1)
  })

  it("ends the family's restricted sessions of older temporary passwords", async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const older = new Visitor()
    await older.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    await letSpacingPass(family.id)
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const newer = new Visitor()
    await newer.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    const rows = await sessionsOf(family.id)
    expect(rows).toHaveLength(1)
    expect((await newer.get('/nouveau-mot-de-passe')).status).toBe(200)
  })
})

describe('a restricted session dies with its temporary password', () => {
  it('ends when the temporary password expires, even if the session itself is young', async () => {
    const family = await createFamily()
    const ttl = { TEMPORARY_PASSWORD_TTL_MINUTES: '5', SESSION_IDLE_MINUTES: '60' }
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env: ttl })
    const browser = new Visitor()
    await browser.post(
      '/connexion',
      { identifier: family.familyNumber, password: await temporaryPasswordFromMail(family.email!) },
      { env: ttl },
    )
    const start = Date.now()
    vi.useFakeTimers({ toFake: ['Date'], now: start + 4 * 60_000 })
    expect((await browser.get('/nouveau-mot-de-passe', { env: ttl })).status).toBe(200)
    vi.setSystemTime(start + 6 * 60_000)
    const ended = await browser.get('/nouveau-mot-de-passe', { env: ttl })
    expect(await textOf(ended)).toContain('Votre session a pris fin')
  })

  it('ends when a newer request replaces the temporary password', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const browser = new Visitor()
    await browser.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    await letSpacingPass(family.id)
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    expect(await textOf(await browser.get('/nouveau-mot-de-passe'))).toContain(
      'Votre session a pris fin',
    )
  })

  it('a change made by choice voids any live temporary password of the family', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const temporary = await temporaryPasswordFromMail(family.email!)
    const owner = new Visitor()
    await owner.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    const changed = await owner.post('/nouveau-mot-de-passe', {
      current_password: 'Soleil2026',
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(changed.headers.get('location')).toBe('/connexion')
    const withTemporary = await post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(withTemporary.status).toBe(422)
    expect(
      await db.select().from(temporaryPasswords).where(eq(temporaryPasswords.familyId, family.id)),
    ).toHaveLength(0)
  })
})

describe('each write is all or nothing, D1 failing at each statement in turn', () => {
  /** Every table but the attempt counters, which a refused or failed attempt rightly moves first. */
  const stateWithoutCounters = async () => {
    const { attempt_counters: _counters, ...rest } = await snapshotDatabase()
    return rest
  }

  type Scenario = { act: (d1: D1Database) => Promise<Response>; after: () => Promise<void> }

  /**
   * Runs the scenario once to count its statements, then once per statement with that one failing:
   * each time the answer is a clean error page (or, for work done after answering, the usual page),
   * the database is as before, and `after` proves the family can still go on.
   */
  async function everyFailurePoint(
    setup: () => Promise<Scenario>,
    options: { state?: () => Promise<unknown>; statuses?: number[] } = {},
  ) {
    const { state = snapshotDatabase, statuses = [503] } = options
    const probe = await setup()
    const counted = instrumentD1(testEnv.DB)
    await probe.act(counted.db)
    // The mail's delivery, after the change has been committed, is fenced on its own (mail-once.test.ts).
    const failurePoints = counted.statements.flatMap((statement, index) =>
      statement.startsWith('update "outbox"') ? [] : [index + 1],
    )
    expect(failurePoints.length).toBeGreaterThan(3)
    for (const failAt of failurePoints) {
      const { act, after } = await setup()
      const before = await state()
      const answer = await act(instrumentD1(testEnv.DB, { failAt }).db)
      expect(statuses, `failure at statement ${failAt}`).toContain(answer.status)
      expect(await state(), `failure at statement ${failAt}`).toEqual(before)
      await after()
    }
  }

  it('the password change: nothing saved, nothing spent, the temporary password still usable', async () => {
    await everyFailurePoint(async () => {
      const { browser } = await signedInWithTemporaryPassword()
      const form = { new_password: 'Jardin2026', confirmation: 'Jardin2026' }
      return {
        act: (d1) => browser.post('/nouveau-mot-de-passe', form, { env: { DB: d1 } }),
        after: async () => {
          const retried = await browser.post('/nouveau-mot-de-passe', form)
          expect(retried.headers.get('location')).toBe('/connexion')
        },
      }
    })
  })

  it('the sign-in with a temporary password: no session, nothing recorded, the password still usable', async () => {
    await everyFailurePoint(async () => {
      const family = await createFamily()
      await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
      const form = {
        identifier: family.familyNumber,
        password: await temporaryPasswordFromMail(family.email!),
      }
      return {
        act: (d1) => post('/connexion', form, { env: { DB: d1 } }),
        after: async () => {
          const retried = await post('/connexion', form)
          expect(retried.headers.get('location')).toBe('/nouveau-mot-de-passe')
        },
      }
    })
  })

  it('the sign-in with a password: no session and no half of one', async () => {
    await everyFailurePoint(
      async () => {
        const family = await createFamily({ password: 'Soleil2026' })
        const form = { identifier: family.familyNumber, password: 'Soleil2026' }
        return {
          act: (d1) => post('/connexion', form, { env: { DB: d1 } }),
          after: async () => {
            expect((await post('/connexion', form)).headers.get('location')).toBe('/espace')
          },
        }
      },
      { state: stateWithoutCounters },
    )
  })

  it('the forgot-password request: no temporary password replaced, no mail, no event', async () => {
    await everyFailurePoint(
      async () => {
        const family = await createFamily()
        await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
        const older = await temporaryPasswordFromMail(family.email!)
        return {
          act: (d1) =>
            post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env: { DB: d1 } }),
          after: async () => {
            // The older temporary password was not voided by the failed request.
            const signIn = await post('/connexion', {
              identifier: family.familyNumber,
              password: older,
            })
            expect(signIn.headers.get('location')).toBe('/nouveau-mot-de-passe')
          },
        }
      },
      { state: stateWithoutCounters, statuses: [200, 503] },
    )
  })
})
