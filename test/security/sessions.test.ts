import { eq, inArray } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sessions } from '../../src/db/schema'
import { sha256Hex } from '../../src/services/crypto'
import { createFamily, db, post, runCron, send, setCookies } from '../support/helpers'
import { signedInFamily, signedInWithTemporaryPassword } from '../support/signed-in'

afterEach(() => {
  vi.useRealTimers()
})

describe('a session is a random token, stored hashed, that expires', () => {
  it('uses a 256-bit random token and stores only its SHA-256', async () => {
    const { family, token } = await signedInFamily()
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    const rows = await db.select().from(sessions).where(eq(sessions.familyId, family.id))
    expect(rows.map((row) => row.id)).toEqual([sha256Hex(token)])
    expect(JSON.stringify(rows)).not.toContain(token)
  })

  it('sets the cookie __Host- prefixed, HttpOnly, Secure, SameSite=Lax, Path=/ and without Domain', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const response = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Soleil2026',
    })
    const attributes = setCookies(response).get('__Host-session')!.attributes.split(/;\s*/)
    expect(attributes).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']),
    )
    expect(attributes.some((attribute) => /^Domain=/i.test(attribute))).toBe(false)
  })

  it('issues a new token at every sign-in: a cookie planted before sign-in is never accepted', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const planted = 'a'.repeat(64)
    const response = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { cookie: `__Host-session=${planted}` },
    )
    const issued = setCookies(response).get('__Host-session')!.value
    expect(issued).not.toBe(planted)
    expect(
      (await send('/espace', { cookie: `__Host-session=${planted}` })).headers.get('location'),
    ).toBe('/connexion')
    const second = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { cookie: `__Host-session=${issued}` },
    )
    expect(setCookies(second).get('__Host-session')!.value).not.toBe(issued)
  })

  it('ends after 30 idle minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.now()
    const { browser } = await signedInFamily()
    vi.setSystemTime(start + 29 * 60_000)
    expect((await browser.get('/espace')).status).toBe(200)
    vi.setSystemTime(start + (29 + 31) * 60_000)
    const response = await browser.get('/espace')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/connexion')
  })

  it('ends 12 hours after sign-in, however active the family is', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.now()
    const { browser } = await signedInFamily()
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      vi.setSystemTime(start + minutes * 60_000)
      expect((await browser.get('/espace')).status).toBe(200)
    }
    vi.setSystemTime(start + 12 * 60 * 60_000 + 1_000)
    expect((await browser.get('/espace')).headers.get('location')).toBe('/connexion')
  })

  it('is deleted at sign-out', async () => {
    const { browser, token } = await signedInFamily()
    await browser.post('/deconnexion', {})
    expect(
      await db
        .select()
        .from(sessions)
        .where(eq(sessions.id, sha256Hex(token))),
    ).toHaveLength(0)
  })

  it('refuses cookies that are not tokens at all', async () => {
    for (const value of ['', 'x', '../../etc', 'A'.repeat(64), '0'.repeat(10_000)]) {
      const response = await send('/espace', { cookie: `__Host-session=${value}` })
      expect(response.status).toBe(303)
    }
  })
})

describe('a restricted session reaches step 5 and sign-out only', () => {
  it('sends other pages and posts to the sign-in page, never into step 5', async () => {
    const { browser } = await signedInWithTemporaryPassword({ password: 'Soleil2026' })
    for (const path of ['/espace', '/agents', '/nimporte-quoi']) {
      expect((await browser.get(path)).headers.get('location'), path).toBe('/connexion')
    }
    const post = await browser.post('/espace', {})
    expect(post.headers.get('location')).toBe('/connexion')
    const htmx = await browser.get('/espace', { htmx: true })
    expect(htmx.status).toBe(204)
    expect(JSON.parse(htmx.headers.get('HX-Location')!).path).toBe('/connexion')
  })

  it('ends after 5 idle minutes, while a full session lasts the configured 30', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.now()
    const restricted = await signedInWithTemporaryPassword({ password: 'Soleil2026' })
    const full = await signedInFamily()
    vi.setSystemTime(start + 4 * 60_000)
    expect((await restricted.browser.get('/nouveau-mot-de-passe')).status).toBe(200)
    vi.setSystemTime(start + (4 + 5) * 60_000)
    const left = await restricted.browser.get('/nouveau-mot-de-passe')
    expect(left.status).toBe(200)
    expect(await left.text()).not.toContain('name="new_password"')
    expect(restricted.browser.cookieValue('__Host-session')).toBeUndefined()
    expect((await full.browser.get('/espace')).status).toBe(200)
  })

  it('is purged by the cron run once idle 5 minutes, while an idle full session is kept', async () => {
    const start = Date.now()
    const restricted = await signedInWithTemporaryPassword({ password: 'Soleil2026' })
    const full = await signedInFamily()
    const ids = [restricted.token, full.token].map(sha256Hex)
    await runCron(start + 6 * 60_000)
    const left = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(inArray(sessions.id, ids))
    expect(left.map((row) => row.id)).toEqual([sha256Hex(full.token)])
  })
})
