import { describe, expect, it } from 'vitest'
import { DEPLOYMENT_FACTS, createFamily, post, send, textOf } from '../support/helpers'

describe('GET /dev/mails and /dev/mails.json', () => {
  it('lists the mails the app sent, newest first, in development', async () => {
    const first = await createFamily()
    const second = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: first.familyNumber })
    await post('/mot-de-passe-oublie', { identifier: second.familyNumber })

    const json = await send('/dev/mails.json')
    expect(json.status).toBe(200)
    const mails = (await json.json()) as Array<Record<string, unknown>>
    expect(mails[0]!.to).toBe(second.email)
    expect(mails[1]!.to).toBe(first.email)
    expect(Object.keys(mails[0]!).sort()).toEqual([
      'createdAt',
      'html',
      'id',
      'subject',
      'text',
      'to',
    ])
    expect(mails[0]!.text).toMatch(/Mot de passe : [0-9a-f]{32}/)

    const page = await textOf(await send('/dev/mails'))
    expect(page).toContain('Envoi de vos identifiants de connexion')
    expect(page.indexOf(second.email!)).toBeLessThan(page.indexOf(first.email!))
  })

  // The only guard this case meets is ENVIRONMENT: the configuration accepts the development mailer
  // outside production and staging, and the request comes from loopback (src/http/loopback.ts).
  it('does not exist when ENVIRONMENT is test, even with the development mailer on loopback', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const development = { ENVIRONMENT: 'development', MAIL_PROVIDER: 'dev' }
    const test = { ...development, ENVIRONMENT: 'test' }
    for (const path of ['/dev/mails', '/dev/mails.json']) {
      const shown = await send(path, { env: development })
      expect(shown.status, path).toBe(200)
      expect(await shown.text(), path).toContain(family.email!)
      const hidden = await send(path, { env: test })
      expect(hidden.status, path).toBe(404)
      expect(await hidden.text(), path).not.toContain(family.email!)
    }
  })

  it.each(['production', 'staging', 'test'])(
    'does not exist when ENVIRONMENT is %s with a real mail provider',
    async (environment) => {
      const overrides = {
        ENVIRONMENT: environment,
        PUBLIC_URL: 'https://famille.example.org',
        MAIL_PROVIDER: 'http',
        MAIL_API_KEY: 'k',
        SCRYPT_LOG_N: '14',
        SCRYPT_P: '5',
        ...DEPLOYMENT_FACTS,
      }
      for (const path of ['/dev/mails', '/dev/mails.json']) {
        const response = await send(path, { env: overrides })
        expect(response.status).toBe(404)
        expect(await response.text()).not.toContain('Envoi de vos identifiants')
      }
    },
  )

  it.each([
    'http://famille.example.org',
    'http://192.168.1.20:8787',
    'https://acces-famille-dev.example.workers.dev',
  ])(
    'is unreachable from %s: a development configuration answers loopback only',
    async (origin) => {
      const family = await createFamily()
      await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
      for (const path of ['/dev/mails.json', '/dev/mails', '/connexion']) {
        const response = await send(path, { origin })
        expect(response.status, path).toBe(503)
        expect(await response.text(), path).not.toContain(family.email!)
      }
    },
  )

  it.each([
    ['X-Forwarded-For', '203.0.113.7'],
    ['X-Forwarded-Host', 'famille.example.org'],
    ['Forwarded', 'for=203.0.113.7;host=famille.example.org'],
    ['X-Real-IP', '203.0.113.7'],
    ['X-Forwarded-For', '127.0.0.1'],
  ])('is unreachable through a proxy or tunnel to loopback (%s: %s)', async (header, value) => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    for (const path of ['/dev/mails.json', '/dev/mails', '/connexion', '/agents']) {
      const response = await send(path, {
        origin: 'http://127.0.0.1:8787',
        ip: '127.0.0.1',
        headers: { [header]: value },
      })
      expect(response.status, path).toBe(503)
      expect(await response.text(), path).not.toContain(family.email!)
    }
  })

  it.each(['203.0.113.7', '10.0.0.2', '2001:db8::1', '::ffff:192.0.2.1'])(
    'is unreachable from the client address %s, even addressed to localhost',
    async (ip) => {
      const family = await createFamily()
      await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
      for (const path of ['/dev/mails.json', '/connexion']) {
        const response = await send(path, { ip })
        expect(response.status, path).toBe(503)
        expect(await response.text(), path).not.toContain(family.email!)
      }
    },
  )

  it.each(['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1'])(
    'answers the loopback client %s',
    async (ip) => {
      expect((await send('/dev/mails.json', { ip, origin: 'http://[::1]:8787' })).status).toBe(200)
    },
  )

  it('answers a test configuration (dev mailer, no secret of its own) on loopback only', async () => {
    const env = { ENVIRONMENT: 'test' }
    expect((await send('/connexion', { env })).status).toBe(200)
    expect((await send('/connexion', { env, origin: 'https://famille.example.org' })).status).toBe(
      503,
    )
    expect((await send('/connexion', { env, ip: '203.0.113.7' })).status).toBe(503)
  })
})
