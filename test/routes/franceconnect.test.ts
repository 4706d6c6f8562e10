import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { franceConnectLinks, sessions } from '../../src/db/schema'
import {
  createFamily,
  db,
  mailsTo,
  send,
  setCookies,
  snapshotDatabase,
  textOf,
  Visitor,
} from '../support/helpers'
import { ADULT, type Bend, type Person } from '../support/franceconnect-provider'

// « S'identifier avec FranceConnect » through the Worker (docs/franceconnect.md), against the
// provider stand-in that test/support/fake-mail-provider.ts runs for `*.franceconnect.test`.

const NS = `fc${crypto.randomUUID().slice(0, 6)}`
const PROVIDER = `https://${NS}.franceconnect.test`
const FC = {
  FRANCECONNECT_ISSUER: `${PROVIDER}/api/v2`,
  FRANCECONNECT_CLIENT_ID: 'client-de-test',
  FRANCECONNECT_CLIENT_SECRET: 'secret-de-test-0123456789',
}
const PASSWORD = 'Soleil2026'
/** An adult FranceConnect has never seen here: each test its own (a `sub` links one family only). */
const someone = (given_name = 'Angela Claire Louise'): Person => ({
  ...ADULT,
  sub: `${crypto.randomUUID().replace(/-/g, '')}v1`,
  given_name,
})

const control = (path: string, body: unknown) =>
  fetch(`${PROVIDER}${path}`, { method: 'POST', body: JSON.stringify(body) })

async function bend(value: Bend) {
  await control('/__bend', { bend: value })
}

/** The browser goes to FranceConnect, `person` signs in there, and the browser comes back. */
async function viaFranceConnect(browser: Visitor, person: Person = someone()) {
  const start = await browser.get('/franceconnect', { env: FC })
  expect(start.status).toBe(303)
  const authorizationUrl = start.headers.get('location')!
  const answer = await control('/__consent', { authorizationUrl, person })
  const { callback } = (await answer.json()) as { callback: string }
  const back = new URL(callback)
  return {
    authorizationUrl,
    callback: back,
    response: await browser.get(`${back.pathname}${back.search}`, { env: FC }),
  }
}

async function linkedFamily(person: Person = someone()) {
  const family = await createFamily({ password: PASSWORD })
  const browser = new Visitor()
  const { response } = await viaFranceConnect(browser, person)
  expect(response.headers.get('location')).toBe('/franceconnect/relier')
  const linked = await browser.post(
    '/franceconnect/relier',
    { identifier: family.familyNumber, password: PASSWORD, action: 'password' },
    { env: FC },
  )
  expect(linked.headers.get('location')).toBe('/espace')
  return { family, browser }
}

describe('FranceConnect not configured', () => {
  it('shows nothing of it and answers 404', async () => {
    expect((await send('/franceconnect')).status).toBe(404)
    expect(await textOf(await send('/connexion'))).not.toContain('FranceConnect')
  })
})

describe('GET /connexion with FranceConnect', () => {
  it('puts the FranceConnect button first, its explanation link, then « ou » and the form', async () => {
    const text = await textOf(await send('/connexion', { env: FC }))
    const button = text.indexOf('S’identifier avec FranceConnect')
    expect(button).toBeGreaterThan(-1)
    expect(text.indexOf('Qu’est-ce que FranceConnect ?')).toBeGreaterThan(button)
    expect(text.indexOf('Identifiant')).toBeGreaterThan(button)
  })
})

describe('GET /franceconnect', () => {
  it('sends the browser to FranceConnect with a state bound to it by a short-lived __Host- cookie', async () => {
    const browser = new Visitor()
    const start = await browser.get('/franceconnect', { env: FC })
    const url = new URL(start.headers.get('location')!)
    expect(url.origin).toBe(PROVIDER)
    expect(url.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8787/franceconnect/retour')
    expect(url.searchParams.get('acr_values')).toBe('eidas1')
    const cookie = setCookies(start).get('__Host-fc-state')!
    expect(cookie.value).toBe(url.searchParams.get('state'))
    expect(cookie.attributes).toMatch(/Max-Age=600/)
    expect(cookie.attributes).toMatch(/HttpOnly/)
  })
})

describe('linking an adult, then signing in with FranceConnect', () => {
  it('links with the family password, mails the family, and next time goes straight to the space', async () => {
    const adult = someone()
    const { family } = await linkedFamily(adult)
    const [link] = await db
      .select()
      .from(franceConnectLinks)
      .where(eq(franceConnectLinks.familyId, family.id))
    expect(link).toMatchObject({
      sub: adult.sub,
      givenName: 'Angela Claire Louise',
      familyName: 'DUBOIS',
    })
    const mails = (await mailsTo(family.email!)).map((mail) => mail.subject)
    expect(mails).toContain('FranceConnect a été relié à votre espace famille')

    const phone = new Visitor()
    const { response } = await viaFranceConnect(phone, adult)
    expect(response.headers.get('location')).toBe('/espace')
    const space = await textOf(await phone.get('/espace', { env: FC }))
    expect(space).toContain('Angela Claire Louise DUBOIS')
    expect(space).toContain('Délier')
    const opened = await db.select().from(sessions).where(eq(sessions.familyId, family.id))
    expect(opened.filter((session) => session.method === 'franceconnect')).toHaveLength(2)
  })

  it('links with a 6-digit code mailed to the family, single use', async () => {
    const family = await createFamily({ password: PASSWORD })
    const browser = new Visitor()
    await viaFranceConnect(browser, someone('Bruno'))
    const asked = await browser.post(
      '/franceconnect/relier',
      { identifier: family.familyNumber, action: 'code' },
      { env: FC },
    )
    expect(asked.status).toBe(200)
    expect(await textOf(asked)).toContain('un code vient d')
    const [mail] = await mailsTo(family.email!)
    expect(mail!.subject).toBe('Votre code pour relier FranceConnect')
    const code = /Code : (\d{6})/.exec(mail!.text!)![1]!
    const wrong = await browser.post(
      '/franceconnect/relier',
      { code: code === '000000' ? '111111' : '000000' },
      { env: FC },
    )
    expect(wrong.status).toBe(422)
    expect(await textOf(wrong)).toContain("Ce code n'est pas le bon")
    const linked = await browser.post('/franceconnect/relier', { code }, { env: FC })
    expect(linked.headers.get('location')).toBe('/espace')
    expect(
      await db.select().from(franceConnectLinks).where(eq(franceConnectLinks.familyId, family.id)),
    ).toHaveLength(1)
  })

  it('refuses a wrong password with the usual words, and links nothing', async () => {
    const family = await createFamily({ password: PASSWORD })
    const browser = new Visitor()
    await viaFranceConnect(browser)
    const answer = await browser.post(
      '/franceconnect/relier',
      { identifier: family.familyNumber, password: 'Mauvais2026', action: 'password' },
      { env: FC },
    )
    expect(answer.status).toBe(422)
    expect(await textOf(answer)).toContain('Identifiant ou mot de passe incorrect.')
    expect(
      await db.select().from(franceConnectLinks).where(eq(franceConnectLinks.familyId, family.id)),
    ).toEqual([])
  })

  it('gives a code 5 tries, after which even the right one fails', async () => {
    const family = await createFamily({ password: PASSWORD })
    const browser = new Visitor()
    await viaFranceConnect(browser)
    await browser.post(
      '/franceconnect/relier',
      { identifier: family.familyNumber, action: 'code' },
      { env: FC },
    )
    const [mail] = await mailsTo(family.email!)
    const code = /Code : (\d{6})/.exec(mail!.text!)![1]!
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) {
      await browser.post('/franceconnect/relier', { code: wrong }, { env: FC })
    }
    const late = await browser.post('/franceconnect/relier', { code }, { env: FC })
    expect(late.status).toBe(422)
    expect(await textOf(late)).toContain("Ce code n'est pas le bon")
    expect(
      await db.select().from(franceConnectLinks).where(eq(franceConnectLinks.familyId, family.id)),
    ).toEqual([])
  })

  it('links at most two adults', async () => {
    const { family } = await linkedFamily()
    const second = new Visitor()
    await viaFranceConnect(second, someone('Bruno'))
    await second.post(
      '/franceconnect/relier',
      { identifier: family.familyNumber, password: PASSWORD, action: 'password' },
      { env: FC },
    )
    const third = new Visitor()
    await viaFranceConnect(third, someone('Chloé'))
    const answer = await third.post(
      '/franceconnect/relier',
      { identifier: family.familyNumber, password: PASSWORD, action: 'password' },
      { env: FC },
    )
    expect(answer.status).toBe(422)
    expect(await textOf(answer)).toContain('Deux adultes ont déjà relié FranceConnect')
  })

  it('unlinks from the family space: mailed, and FranceConnect no longer opens it', async () => {
    const adult = someone()
    const { family, browser } = await linkedFamily(adult)
    const [link] = await db
      .select()
      .from(franceConnectLinks)
      .where(eq(franceConnectLinks.familyId, family.id))
    const answer = await browser.post(
      '/espace/franceconnect/suppression',
      { link: String(link!.id) },
      { env: FC },
    )
    // This browser came through FranceConnect: its session ends with the link, and it is told so.
    expect(answer.status).toBe(200)
    const text = await textOf(answer)
    expect(text).toContain('est délié')
    expect(text).toContain('Cette session venait de FranceConnect : elle est fermée.')
    expect(setCookies(answer).get('__Host-session')?.value).toBe('')
    expect((await mailsTo(family.email!)).map((mail) => mail.subject)).toContain(
      "FranceConnect n'est plus relié à votre espace famille",
    )
    const again = await viaFranceConnect(new Visitor(), adult)
    expect(again.response.headers.get('location')).toBe('/franceconnect/relier')
  })

  it('unlinks from a password session, which stays in the family space', async () => {
    const { family } = await linkedFamily()
    const [link] = await db
      .select()
      .from(franceConnectLinks)
      .where(eq(franceConnectLinks.familyId, family.id))
    const parent = new Visitor()
    await parent.post('/connexion', { identifier: family.familyNumber, password: PASSWORD })
    const answer = await parent.post(
      '/espace/franceconnect/suppression',
      { link: String(link!.id) },
      { env: FC },
    )
    expect(answer.headers.get('location')).toBe('/espace')
    expect((await parent.get('/espace', { env: FC })).status).toBe(200)
  })

  it('signs out at FranceConnect too, with the ID token hint and the declared return address', async () => {
    const { browser } = await linkedFamily()
    const out = await browser.post('/deconnexion', {}, { env: FC })
    expect(out.status).toBe(303)
    const url = new URL(out.headers.get('location')!)
    expect(url.origin + url.pathname).toBe(`${PROVIDER}/api/v2/session/end`)
    expect(url.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('http://127.0.0.1:8787/connexion')
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32)
  })

  it('tells a closed family its access is closed', async () => {
    const adult = someone()
    const { family } = await linkedFamily(adult)
    await db.run(`update families set closed_at = ${Date.now()} where id = ${family.id}` as never)
    const { response } = await viaFranceConnect(new Visitor(), adult)
    expect(response.status).toBe(403)
    expect(await textOf(response)).toContain('Votre accès famille est fermé')
  })
})

describe('what the callback refuses, with a clear page and nothing written', () => {
  async function refusedWalk(
    tamper: (callback: URL, browser: Visitor) => Promise<Response>,
    first?: (callback: URL, browser: Visitor) => Promise<unknown>,
  ) {
    const browser = new Visitor()
    const start = await browser.get('/franceconnect', { env: FC })
    const answer = await control('/__consent', {
      authorizationUrl: start.headers.get('location'),
      person: someone(),
    })
    const callback = new URL(((await answer.json()) as { callback: string }).callback)
    await first?.(callback, browser)
    const before = await snapshotDatabase()
    const response = await tamper(callback, browser)
    const after = await snapshotDatabase()
    for (const table of ['franceconnect_links', 'franceconnect_pending', 'sessions']) {
      expect(after[table], table).toEqual(before[table])
    }
    return response
  }

  const expectRefused = async (response: Response) => {
    expect(response.status).toBe(400)
    const text = await textOf(response)
    expect(text).toContain("La connexion avec FranceConnect n'a pas abouti")
    expect(text).toContain('Mot de passe oublié')
  }

  it('a forged state (not the one this browser holds)', async () => {
    await expectRefused(
      await refusedWalk((callback, browser) => {
        callback.searchParams.set('state', 'x'.repeat(43))
        return browser.get(`${callback.pathname}${callback.search}`, { env: FC })
      }),
    )
  })

  it('a callback replayed in another browser, or twice', async () => {
    await expectRefused(
      await refusedWalk((callback) =>
        new Visitor().get(`${callback.pathname}${callback.search}`, { env: FC }),
      ),
    )
    let state = ''
    await expectRefused(
      await refusedWalk(
        (callback) =>
          send(`${callback.pathname}${callback.search}`, {
            env: FC,
            cookie: `__Host-fc-state=${state}`,
          }),
        async (callback, browser) => {
          state = browser.cookieValue('__Host-fc-state')!
          await browser.get(`${callback.pathname}${callback.search}`, { env: FC })
        },
      ),
    )
  })

  it.each<[string, Bend]>([
    ['a wrong nonce', { idToken: { nonce: 'n'.repeat(43) } }],
    ['a wrong issuer', { idToken: { iss: 'https://faux.example/api/v2' } }],
    ['another audience', { idToken: { aud: 'autre' } }],
    ['an expired token', { idToken: { exp: 1 } }],
    ['alg none', { idTokenSigning: 'none' }],
    ['HS256', { idTokenSigning: 'HS256' }],
    ['an unsigned userinfo', { userInfoUnsigned: true }],
  ])('%s', async (_, value) => {
    await bend(value)
    try {
      await expectRefused(
        await refusedWalk((callback, browser) =>
          browser.get(`${callback.pathname}${callback.search}`, { env: FC }),
        ),
      )
    } finally {
      await bend({})
    }
  })

  it('a provider error, and says « annulée » when the person cancelled', async () => {
    const browser = new Visitor()
    const start = await browser.get('/franceconnect', { env: FC })
    const state = new URL(start.headers.get('location')!).searchParams.get('state')
    await expectRefused(
      await browser.get(`/franceconnect/retour?error=server_error&state=${state}`, { env: FC }),
    )
    const cancelled = await new Visitor().get('/franceconnect/retour?error=access_denied', {
      env: FC,
    })
    expect(cancelled.status).toBe(200)
    expect(await textOf(cancelled)).toContain('La connexion avec FranceConnect a été annulée')
  })

  it('a code request says the same for an unknown number, and its code is wrong like any', async () => {
    const family = await createFamily({ password: PASSWORD })
    const answers = []
    for (const identifier of [family.familyNumber, '990000000000001']) {
      const browser = new Visitor()
      await viaFranceConnect(browser)
      const asked = await browser.post(
        '/franceconnect/relier',
        { identifier, action: 'code' },
        { env: FC },
      )
      const wrong = await browser.post('/franceconnect/relier', { code: '000001' }, { env: FC })
      answers.push([asked.status, wrong.status, await textOf(wrong)])
    }
    expect(answers[0]![0]).toBe(200)
    expect(answers[1]![0]).toBe(200)
    expect(answers[0]![1]).toBe(422)
    expect(answers[1]![1]).toBe(422)
    expect(answers[0]![2]).toContain("Ce code n'est pas le bon")
    expect(answers[1]![2]).toContain("Ce code n'est pas le bon")
  })
})
