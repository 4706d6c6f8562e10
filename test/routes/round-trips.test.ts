import { describe, expect, it } from 'vitest'
import { instrumentD1 } from '../support/d1-double'
import {
  createFamily,
  post,
  send,
  temporaryPasswordFromMail,
  testEnv,
  uniqueFamilyNumber,
} from '../support/helpers'
import { signedInFamily, signedInWithTemporaryPassword } from '../support/signed-in'
import { registerPasskey, signInChallenge } from '../support/webauthn'

// Each D1 call is a network hop in production. The counts per route (calls, and the queries they
// hold), measured through a counting wrapper around the real binding; README "Performance" lists them.
// Counted once the work done after the answer (the mail) has ended too; `npm run bench` reads the
// lines this prints (bench/round-trips.ts).
async function roundTrips(route: string, act: (db: D1Database) => Promise<Response>) {
  const counted = instrumentD1(testEnv.DB)
  const response = await act(counted.db)
  // Queries: each statement, a batch's included (D1 allows 1 000 an invocation, docs/limits.md).
  const queries = counted.calls.flat().length
  console.log(`D1_ROUND_TRIPS ${JSON.stringify({ route, calls: counted.calls.length, queries })}`)
  return { response, calls: counted.calls }
}

describe('D1 round trips per route', () => {
  it('GET /connexion without a session: none', async () => {
    const { calls } = await roundTrips('GET /connexion, no session', (DB) =>
      send('/connexion', { env: { DB } }),
    )
    expect(calls).toHaveLength(0)
  })

  it('POST /connexion with the password: 2 (count + family, then the session batch)', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const { response, calls } = await roundTrips('POST /connexion, password', (DB) =>
      post(
        '/connexion',
        { identifier: family.familyNumber, password: 'Soleil2026' },
        { env: { DB } },
      ),
    )
    expect(response.headers.get('location')).toBe('/espace')
    expect(calls).toHaveLength(2)
  })

  it('POST /connexion with a wrong password: 2 (count + family, then the event)', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const { response, calls } = await roundTrips('POST /connexion, wrong password', (DB) =>
      post(
        '/connexion',
        { identifier: family.familyNumber, password: 'Mauvais2026' },
        { env: { DB } },
      ),
    )
    expect(response.status).toBe(422)
    expect(calls).toHaveLength(2)
  })

  it('POST /connexion with a temporary password: 2 (the lookup, then the session batch)', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const password = await temporaryPasswordFromMail(family.email!)
    const { response, calls } = await roundTrips('POST /connexion, temporary password', (DB) =>
      post('/connexion', { identifier: family.familyNumber, password }, { env: { DB } }),
    )
    expect(response.headers.get('location')).toBe('/nouveau-mot-de-passe')
    expect(calls).toHaveLength(2)
  })

  it('POST /mot-de-passe-oublie: 1 before the answer (the counts), the rest after it', async () => {
    const family = await createFamily()
    const { response, calls } = await roundTrips(
      'POST /mot-de-passe-oublie, known number: 1 before the answer',
      (DB) => post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env: { DB } }),
    )
    expect(response.status).toBe(200)
    expect(calls[0]!.every((sql) => sql.startsWith('insert into "attempt_counters"'))).toBe(true)
    expect(calls).toHaveLength(6)
    const unknown = await roundTrips(
      'POST /mot-de-passe-oublie, unknown number: 1 before the answer',
      (DB) => post('/mot-de-passe-oublie', { identifier: uniqueFamilyNumber() }, { env: { DB } }),
    )
    expect(unknown.calls).toHaveLength(3)
  })

  it('POST /nouveau-mot-de-passe after a temporary password: 2 (the session, the change batch)', async () => {
    const { browser } = await signedInWithTemporaryPassword()
    const { response, calls } = await roundTrips(
      'POST /nouveau-mot-de-passe after a temporary password: 2 before the answer',
      (DB) =>
        browser.post(
          '/nouveau-mot-de-passe',
          { new_password: 'Jardin2026', confirmation: 'Jardin2026' },
          { env: { DB } },
        ),
    )
    expect(response.headers.get('location')).toBe('/connexion')
    // Then the notice's delivery, after the answer: claim and outcome.
    expect(calls).toHaveLength(4)
  })

  it('POST /nouveau-mot-de-passe by choice from a trusted browser: 4 (the session, its device, the count, the change batch)', async () => {
    const { family, browser } = await signedInFamily()
    const { response, calls } = await roundTrips(
      'POST /nouveau-mot-de-passe by choice: 4 before the answer',
      (DB) =>
        browser.post(
          '/nouveau-mot-de-passe',
          {
            current_password: 'Soleil2026',
            new_password: 'Jardin2026',
            confirmation: 'Jardin2026',
          },
          { env: { DB } },
        ),
    )
    expect(response.headers.get('location')).toBe('/connexion')
    // 4, then the notice's delivery after the answer: claim and outcome.
    expect(calls).toHaveLength(6)
  })

  it('GET /espace: 1 (the session)', async () => {
    const { family, browser } = await signedInFamily()
    const { calls } = await roundTrips('GET /espace', (DB) =>
      browser.get('/espace', { env: { DB } }),
    )
    expect(calls).toHaveLength(1)
  })

  it('POST /connexion/cle-d-acces: 2 (the passkey and its family, then the session batch)', async () => {
    const { browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const assertion = await passkey.assertion(await signInChallenge(browser))
    const { response, calls } = await roundTrips('POST /connexion/cle-d-acces', (DB) =>
      post('/connexion/cle-d-acces', assertion, { env: { DB } }),
    )
    expect(response.headers.get('location')).toBe('/espace')
    expect(calls).toHaveLength(2)
  })

  it('GET /espace for a family with passkeys: 2 (the session, its passkeys)', async () => {
    const { browser } = await signedInFamily()
    await registerPasskey(browser)
    const { calls } = await roundTrips('GET /espace, family with passkeys', (DB) =>
      browser.get('/espace', { env: { DB } }),
    )
    expect(calls).toHaveLength(2)
  })
})
