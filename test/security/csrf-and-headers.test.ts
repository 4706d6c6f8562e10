import { describe, expect, it } from 'vitest'
import {
  BASE,
  createFamily,
  setCookies,
  send,
  snapshotDatabase,
  temporaryPasswordFromMail,
  post,
  Visitor,
} from '../support/helpers'
import { signedInFamily } from '../support/signed-in'

const forms = (familyNumber: string): Array<[string, Record<string, string>]> => [
  ['/connexion', { identifier: familyNumber, password: 'Soleil2026' }],
  ['/mot-de-passe-oublie', { identifier: familyNumber }],
  [
    '/nouveau-mot-de-passe',
    { current_password: 'Soleil2026', new_password: 'Jardin2026', confirmation: 'Jardin2026' },
  ],
  ['/deconnexion', {}],
]

const crossSite: Array<[string, Record<string, string>]> = [
  ['from another site (Origin)', { origin: 'https://evil.example' }],
  [
    'from another site (Sec-Fetch-Site)',
    { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
  ],
  ['from a sibling site', { 'sec-fetch-site': 'same-site', origin: 'https://sub.localhost' }],
  ['with neither Origin nor Sec-Fetch-Site', {}],
  ['with a null Origin', { origin: 'null' }],
]

describe('every state change is a same-origin POST', () => {
  for (const [how, headers] of crossSite) {
    it(`refuses every form ${how} with 403, changing nothing`, async () => {
      const { family, browser } = await signedInFamily()
      for (const [path, form] of forms(family.familyNumber)) {
        const before = await snapshotDatabase()
        const response = await send(path, {
          method: 'POST',
          form,
          cookie: browser.cookie,
          headers: { 'x-no-default-origin': '1', ...headers },
        })
        expect(response.status, `${path}`).toBe(403)
        expect(await response.text()).toContain('Demande refusée')
        expect(await snapshotDatabase()).toEqual(before)
      }
      expect((await browser.get('/espace')).status).toBe(200)
    })
  }

  it('refuses a cross-site post whatever its content type', async () => {
    const { browser } = await signedInFamily()
    for (const [type, body] of [
      ['text/plain', 'x=1'],
      ['application/json', '{}'],
      ['application/octet-stream', 'x'],
    ]) {
      const response = await send('/deconnexion', {
        method: 'POST',
        body,
        cookie: browser.cookie,
        headers: { 'content-type': type!, origin: 'https://evil.example' },
      })
      expect(response.status).toBe(403)
    }
    expect((await browser.get('/espace')).status).toBe(200)
  })

  it('accepts a same-origin post identified by Sec-Fetch-Site alone', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const response = await send('/connexion', {
      method: 'POST',
      form: { identifier: family.familyNumber, password: 'Soleil2026' },
      headers: { 'sec-fetch-site': 'same-origin' },
    })
    expect(response.status).toBe(303)
  })
})

// The headers each browser sends with a form post (the body's Content-Type and Cookie aside), as its
// network panel shows them. Safari sends Sec-Fetch-* only since 16.4 (WebKit release notes): an
// iPhone on iOS 15 proves its origin by Origin alone.
type Browser = { name: string; plain: Record<string, string>; htmx: Record<string, string> }

const browsersPosting = (origin: string): Browser[] => {
  const site = origin === BASE ? 'same-origin' : 'cross-site'
  const referer = { referer: `${origin}/connexion` }
  return [
    { name: 'Safari 15', plain: { origin, ...referer }, htmx: { origin, ...referer } },
    {
      name: 'Chromium',
      plain: {
        origin,
        ...referer,
        'sec-ch-ua-mobile': '?0',
        'sec-fetch-site': site,
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
        'sec-fetch-user': '?1',
      },
      htmx: {
        origin,
        ...referer,
        'sec-ch-ua-mobile': '?0',
        'sec-fetch-site': site,
        'sec-fetch-mode': 'cors',
        'sec-fetch-dest': 'empty',
      },
    },
    {
      name: 'Firefox',
      plain: {
        origin,
        ...referer,
        'sec-fetch-site': site,
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
        'sec-fetch-user': '?1',
      },
      htmx: {
        origin,
        ...referer,
        'sec-fetch-site': site,
        'sec-fetch-mode': 'cors',
        'sec-fetch-dest': 'empty',
      },
    },
  ]
}

const postKinds = [
  ['a plain form post', 'plain', false],
  ['an htmx post', 'htmx', true],
] as const

function signInWith(headers: Record<string, string>, htmx: boolean, identifier: string) {
  return send('/connexion', {
    method: 'POST',
    form: { identifier, password: 'Soleil2026' },
    headers: { 'x-no-default-origin': '1', ...headers },
    htmx,
  })
}

describe('the same-origin check, with the headers real browsers send', () => {
  for (const browser of browsersPosting(BASE)) {
    for (const [kind, headersOf, htmx] of postKinds) {
      it(`signs a family in from ${browser.name} with ${kind} from this site`, async () => {
        const family = await createFamily({ password: 'Soleil2026' })
        const response = await signInWith(browser[headersOf], htmx, family.familyNumber)
        expect(response.status).toBe(htmx ? 200 : 303)
        expect(setCookies(response).get('__Host-session')?.value).toBeTruthy()
      })
    }
  }

  for (const browser of browsersPosting('https://evil.example')) {
    for (const [kind, headersOf, htmx] of postKinds) {
      it(`refuses ${kind} from ${browser.name} on another site with 403, changing nothing`, async () => {
        const family = await createFamily({ password: 'Soleil2026' })
        const before = await snapshotDatabase()
        const response = await signInWith(browser[headersOf], htmx, family.familyNumber)
        expect(response.status).toBe(403)
        expect(setCookies(response).has('__Host-session')).toBe(false)
        expect(await snapshotDatabase()).toEqual(before)
      })
    }
  }

  it('refuses Origin: null from a browser that sends no Sec-Fetch-Site', async () => {
    // What Safari 15 sends from a page whose policy is no-referrer: its origin cannot be known.
    const family = await createFamily({ password: 'Soleil2026' })
    for (const [, , htmx] of postKinds) {
      const response = await signInWith({ origin: 'null' }, htmx, family.familyNumber)
      expect(response.status).toBe(403)
    }
  })

  it('asks browsers to keep the Origin on this site and to send no Referer to another', async () => {
    for (const response of [await send('/connexion'), await send('/nulle-part')]) {
      expect(response.headers.get('referrer-policy')).toBe('same-origin')
    }
  })
})

describe('every HTML answer carries the security headers', () => {
  async function everyKindOfPage() {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const restricted = new Visitor()
    await restricted.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    const { browser } = await signedInFamily()
    return {
      'GET /connexion': await send('/connexion'),
      'GET /connexion (htmx)': await send('/connexion', { htmx: true }),
      'GET /mot-de-passe-oublie': await send('/mot-de-passe-oublie'),
      'POST /mot-de-passe-oublie': await post('/mot-de-passe-oublie', {
        identifier: family.familyNumber,
      }),
      'POST /connexion (422)': await post('/connexion', { identifier: 'x', password: 'y' }),
      'GET /nouveau-mot-de-passe': await restricted.get('/nouveau-mot-de-passe'),
      'GET /espace': await browser.get('/espace'),
      'GET /nulle-part (404)': await send('/nulle-part'),
      'POST /deconnexion (403)': await send('/deconnexion', {
        method: 'POST',
        form: {},
        headers: { origin: 'https://evil.example' },
      }),
      'GET /dev/mails': await send('/dev/mails'),
    }
  }

  it('sends a strict CSP with a nonce, HSTS for a year, nosniff, same-origin referrer, no framing, no-store', async () => {
    for (const [name, response] of Object.entries(await everyKindOfPage())) {
      const csp = response.headers.get('content-security-policy') ?? ''
      expect(csp, name).not.toMatch(/unsafe-inline|unsafe-eval/)
      expect(csp, name).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
      expect(csp, name).toContain("frame-ancestors 'none'")
      expect(csp, name).toContain("default-src 'none'")
      const maxAge = Number(
        /max-age=(\d+)/.exec(response.headers.get('strict-transport-security') ?? '')?.[1],
      )
      expect(maxAge, name).toBeGreaterThanOrEqual(31_536_000)
      expect(response.headers.get('x-content-type-options'), name).toBe('nosniff')
      expect(response.headers.get('referrer-policy'), name).toBe('same-origin')
      expect(response.headers.get('cache-control'), name).toBe('no-store')
      const html = await response.text()
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]
      for (const tag of html.match(/<script[^>]*>/g) ?? [])
        expect(tag, name).toContain(`nonce="${nonce}"`)
      expect(html, name).not.toMatch(/<style|style="|<script>[^<]/)
    }
  })
})
