import { describe, expect, it } from 'vitest'
import {
  createFamily,
  send,
  snapshotDatabase,
  temporaryPasswordFromMail,
  post,
  Visitor,
} from '../helpers'

async function signedInBrowser() {
  const family = await createFamily({ password: 'Soleil2026' })
  const browser = new Visitor()
  await browser.post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
  return { family, browser }
}

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
      const { family, browser } = await signedInBrowser()
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
    const { browser } = await signedInBrowser()
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

describe('every HTML answer carries the security headers', () => {
  async function everyKindOfPage() {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const restricted = new Visitor()
    await restricted.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    const { browser } = await signedInBrowser()
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

  it('sends a strict CSP with a nonce, HSTS for a year, nosniff, no referrer, no framing, no-store', async () => {
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
      expect(response.headers.get('referrer-policy'), name).toBe('no-referrer')
      expect(response.headers.get('cache-control'), name).toBe('no-store')
      const html = await response.text()
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]
      for (const tag of html.match(/<script[^>]*>/g) ?? [])
        expect(tag, name).toContain(`nonce="${nonce}"`)
      expect(html, name).not.toMatch(/<style|style="|<script>[^<]/)
    }
  })
})
