import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { passkeyChallenges, passkeys, securityEvents, sessions } from '../../src/db/schema'
import { db, setCookies, snapshotDatabase, testConfig, textOf, Visitor } from '../support/helpers'
import { FAMILY_PASSWORD, signedInFamily } from '../support/signed-in'
import { registerPasskey, signInChallenge, SoftPasskey } from '../support/webauthn'

// docs/passkeys.md, "What the server checks": each check, bent one at a time by an attacker or a broken
// device, is refused with the same page, writes nothing but its event and spends its challenge.

async function familyWithPasskey(options: Parameters<typeof registerPasskey>[1] = {}) {
  const { family, browser } = await signedInFamily()
  const { passkey } = await registerPasskey(browser, options)
  await browser.post('/deconnexion', {})
  return { family, passkey }
}

async function postAssertion(browser: Visitor, assertion: Record<string, string>) {
  return browser.post('/connexion/cle-d-acces', assertion)
}

async function expectRefused(answer: Response) {
  expect(answer.status).toBe(422)
  expect(setCookies(answer).has('__Host-session')).toBe(false)
  expect(await textOf(answer)).toContain("Cette clé d'accès n'a pas été acceptée")
}

const failures = async (familyId: number) =>
  (await db.select().from(securityEvents).where(eq(securityEvents.familyId, familyId)))
    .filter((event) => event.type === 'sign_in_failed')
    .map((event) => event.detail)

describe('a passkey sign-in is refused', () => {
  it('when its challenge is replayed, and the first use alone opens a session', async () => {
    const { family, passkey } = await familyWithPasskey()
    const browser = new Visitor()
    const assertion = await passkey.assertion(await signInChallenge(browser))
    const first = await postAssertion(browser, assertion)
    expect(first.headers.get('location')).toBe('/espace')
    await expectRefused(await postAssertion(new Visitor(), assertion))
    const open = await db.select().from(sessions).where(eq(sessions.familyId, family.id))
    expect(open.filter((session) => session.method === 'passkey')).toHaveLength(1)
  })

  it('when its challenge was never issued, or has expired', async () => {
    const { family, passkey } = await familyWithPasskey()
    const made = crypto.randomUUID().replace(/-/g, '')
    await expectRefused(await postAssertion(new Visitor(), await passkey.assertion(made)))
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    await db.update(passkeyChallenges).set({ expiresAt: Date.now() - 1 })
    await expectRefused(await postAssertion(browser, await passkey.assertion(challenge)))
    expect(await failures(family.id)).toEqual([
      'passkey: challenge spent',
      'passkey: challenge spent',
    ])
  })

  it("when its challenge was issued for a registration, even the family's own", async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const options = (await (await browser.post('/espace/cles-d-acces/defi', {})).json()) as {
      challenge: string
    }
    await expectRefused(
      await postAssertion(new Visitor(), await passkey.assertion(options.challenge)),
    )
    expect(await failures(family.id)).toEqual(['passkey: challenge spent'])
  })

  it('when it was made for another origin (a look-alike site relaying it)', async () => {
    const { passkey } = await familyWithPasskey()
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    const assertion = await passkey.assertion(challenge, { origin: 'https://famille-exemple.fr' })
    await expectRefused(await postAssertion(browser, assertion))
  })

  it('when it was made for another RP ID', async () => {
    const { family, passkey } = await familyWithPasskey()
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    await expectRefused(
      await postAssertion(browser, await passkey.assertion(challenge, { rpId: 'example.org' })),
    )
    expect(await failures(family.id)).toEqual(['passkey: wrong RP ID'])
  })

  it('without user verification (no fingerprint, face or screen lock), or without presence', async () => {
    const { family, passkey } = await familyWithPasskey()
    for (const flags of [{ userVerified: false }, { userPresent: false }]) {
      const browser = new Visitor()
      const challenge = await signInChallenge(browser)
      await expectRefused(await postAssertion(browser, await passkey.assertion(challenge, flags)))
    }
    expect(await failures(family.id)).toEqual([
      'passkey: user not verified',
      'passkey: user not present',
    ])
  })

  it('when it answers a registration ceremony instead of a sign-in', async () => {
    const { passkey } = await familyWithPasskey()
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    const assertion = await passkey.assertion(challenge, { type: 'webauthn.create' })
    await expectRefused(await postAssertion(browser, assertion))
  })

  it('when its counter goes back or stands still, and accepts one that grows', async () => {
    const { family, passkey } = await familyWithPasskey({ counter: 5 })
    const sign = async (counter: number) => {
      const browser = new Visitor()
      return postAssertion(
        browser,
        await passkey.assertion(await signInChallenge(browser), { counter }),
      )
    }
    expect((await sign(6)).headers.get('location')).toBe('/espace')
    await expectRefused(await sign(3))
    await expectRefused(await sign(6))
    expect((await sign(9)).headers.get('location')).toBe('/espace')
    const [row] = await db.select().from(passkeys).where(eq(passkeys.id, passkey.id))
    expect(row!.signCount).toBe(9)
    expect(await failures(family.id)).toEqual([
      'passkey: counter went back',
      'passkey: counter went back',
    ])
  })

  it('never for a counter that stays at 0 (a synced passkey)', async () => {
    const { passkey } = await familyWithPasskey()
    for (let i = 0; i < 3; i++) {
      const browser = new Visitor()
      const answer = await postAssertion(
        browser,
        await passkey.assertion(await signInChallenge(browser)),
      )
      expect(answer.headers.get('location')).toBe('/espace')
    }
  })

  it("when one family's passkey claims another family's handle, and opens nothing for either", async () => {
    const victim = await familyWithPasskey()
    const attacker = await familyWithPasskey()
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    const assertion = await attacker.passkey.assertion(challenge, {
      userHandle: victim.passkey.userHandle,
    })
    await expectRefused(await postAssertion(browser, assertion))
    // Nor with the victim's credential id over the attacker's signature.
    const other = new Visitor()
    const signed = await attacker.passkey.assertion(await signInChallenge(other))
    await expectRefused(
      await postAssertion(other, {
        ...signed,
        credential_id: victim.passkey.id,
        user_handle: victim.passkey.userHandle,
      }),
    )
    const passkeySessions = await db.select().from(sessions).where(eq(sessions.method, 'passkey'))
    expect(passkeySessions.map((session) => session.familyId)).not.toContain(victim.family.id)
    expect(passkeySessions.map((session) => session.familyId)).not.toContain(attacker.family.id)
    expect(await failures(victim.family.id)).toEqual(['passkey: bad signature'])
  })

  it('for an unknown credential or garbage, with the same page', async () => {
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    const stranger = await SoftPasskey.make('x'.repeat(22))
    await expectRefused(await postAssertion(browser, await stranger.assertion(challenge)))
    await expectRefused(await postAssertion(browser, { credential_id: '%%', client_data: '' }))
  })
})

describe('a refused passkey', () => {
  it('writes nothing but its event, and spends its challenge', async () => {
    const { passkey } = await familyWithPasskey()
    const browser = new Visitor()
    const challenge = await signInChallenge(browser)
    const before = await snapshotDatabase()
    await expectRefused(
      await postAssertion(browser, await passkey.assertion(challenge, { userVerified: false })),
    )
    const after = await snapshotDatabase()
    for (const table of Object.keys(before)) {
      if (['security_events', 'passkey_challenges', 'attempt_counters'].includes(table)) continue
      expect(after[table], table).toEqual(before[table])
    }
    expect(after.passkey_challenges!.length).toBe(before.passkey_challenges!.length - 1)
    expect(after.security_events!.length).toBe(before.security_events!.length + 1)
  })

  it("counts in the client's sign-in limit, and never keeps a valid passkey out of a blocked network", async () => {
    const { family, passkey } = await familyWithPasskey()
    const ip = '127.9.9.9'
    const browser = new Visitor()
    const limit = testConfig.limits.signInFailuresPerClient
    let posts = 0
    let refused: Response | undefined
    while (posts <= limit) {
      posts++
      refused = await browser.post('/connexion/cle-d-acces', { credential_id: 'x' }, { ip })
      if (refused.status === 429) break
    }
    expect(refused!.status).toBe(429)
    expect(posts).toBeGreaterThanOrEqual(limit)
    expect(await textOf(refused!)).toMatch(/réessayez dans \d+ minute/i)
    // The network is blocked for passwords now…
    const password = await browser.post(
      '/connexion',
      { identifier: family.familyNumber, password: FAMILY_PASSWORD },
      { ip },
    )
    expect(password.status).toBe(429)
    // …and a passkey, which cannot be guessed, still signs in from it.
    const assertion = await passkey.assertion(await signInChallenge(browser))
    const signedIn = await browser.post('/connexion/cle-d-acces', assertion, { ip })
    expect(signedIn.headers.get('location')).toBe('/espace')
  })
})

describe('registering a passkey is refused', () => {
  async function options(browser: Visitor) {
    const answer = await browser.post('/espace/cles-d-acces/defi', {})
    return (await answer.json()) as { challenge: string; user: { id: string } }
  }

  it("with another family's challenge", async () => {
    const first = await signedInFamily()
    const second = await signedInFamily()
    const stolen = await options(first.browser)
    const passkey = await SoftPasskey.make(stolen.user.id)
    const answer = await second.browser.post('/espace/cles-d-acces', {
      ...(await passkey.attestation(stolen.challenge)),
      name: '',
    })
    expect(answer.status).toBe(422)
    expect(await db.select().from(passkeys).where(eq(passkeys.id, passkey.id))).toEqual([])
  })

  it('without user verification, from another origin, or twice with one challenge', async () => {
    const { family, browser } = await signedInFamily()
    for (const bend of [{ userVerified: false }, { origin: 'https://evil.example' }]) {
      const { challenge, user } = await options(browser)
      const passkey = await SoftPasskey.make(user.id)
      const answer = await browser.post(
        '/espace/cles-d-acces',
        await passkey.attestation(challenge, bend),
      )
      expect(answer.status).toBe(422)
    }
    const { challenge, user } = await options(browser)
    const passkey = await SoftPasskey.make(user.id)
    const attestation = await passkey.attestation(challenge)
    expect((await browser.post('/espace/cles-d-acces', attestation)).headers.get('location')).toBe(
      '/espace',
    )
    // The same challenge again, answered by another authenticator: spent.
    const another = await SoftPasskey.make(user.id)
    const again = await browser.post('/espace/cles-d-acces', await another.attestation(challenge))
    expect(again.status).toBe(422)
    expect(await db.select().from(passkeys).where(eq(passkeys.familyId, family.id))).toHaveLength(1)
  })

  it('from a session opened more than 15 minutes ago (a computer left signed in)', async () => {
    const { family, browser, token } = await signedInFamily()
    const { challenge, user } = await options(browser)
    await db
      .update(sessions)
      .set({ createdAt: Date.now() - 16 * 60_000 })
      .where(eq(sessions.familyId, family.id))
    expect((await browser.post('/espace/cles-d-acces/defi', {})).status).toBe(403)
    const passkey = await SoftPasskey.make(user.id)
    const answer = await browser.post('/espace/cles-d-acces', await passkey.attestation(challenge))
    expect(answer.status).toBe(422)
    expect(await textOf(answer)).toContain("Pour ajouter une clé d'accès, reconnectez-vous")
    expect(await db.select().from(passkeys).where(eq(passkeys.familyId, family.id))).toEqual([])
    expect(token).toBeTruthy()
  })
})
