import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { securityEvents } from '../../src/db/schema'
import {
  clientKeyOf,
  createFamily,
  db,
  send,
  snapshotDatabase,
  uniqueFamilyNumber,
  Visitor,
  withoutNonces,
} from '../support/helpers'
import { FakeMailApi } from '../support/mail-api'

const logged: string[] = []

beforeEach(() => {
  logged.length = 0
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(
        args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
      )
    })
  }
})

afterEach(() => {
  vi.restoreAllMocks()
})

describe('security events are recorded without secrets', () => {
  it('records each kind of event with its time, family and hashed client address, and no secret anywhere', async () => {
    const api = new FakeMailApi('events')
    const mailEnv = api.env()
    const ip = '127.0.113.50'
    const family = await createFamily({ password: 'Soleil2026' })
    const browser = new Visitor()
    const send = (path: string, form: Record<string, string>) =>
      browser.post(path, form, { ip, env: mailEnv })

    await send('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    const token = browser.cookieValue('__Host-session')!
    await send('/deconnexion', {})
    await send('/connexion', { identifier: family.familyNumber, password: 'Mauvais-2026' })
    await send('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const [mail] = await api.received()
    const temporary = /Mot de passe : ([0-9a-f]{32})/.exec(JSON.parse(mail!.body).textContent)![1]!
    await send('/connexion', { identifier: family.familyNumber, password: temporary })
    const restrictedToken = browser.cookieValue('__Host-session')!
    await send('/nouveau-mot-de-passe', {
      new_password: 'Nouveau-Secret-9',
      confirmation: 'Nouveau-Secret-9',
    })
    for (let i = 0; i < 6; i++)
      await send('/connexion', { identifier: family.familyNumber, password: `Faux-${i}-Faux` })

    const events = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.familyId, family.id))
    const types = new Set(events.map((event) => event.type))
    expect(types).toEqual(
      new Set([
        'sign_in_succeeded',
        'sign_in_failed',
        'temporary_password_requested',
        'temporary_password_used',
        'password_changed',
      ]),
    )
    const limits = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.type, 'limit_reached'))
    expect(limits.length).toBeGreaterThan(0)
    for (const event of [...events, ...limits]) {
      expect(event.clientKey).toBe(clientKeyOf(ip))
      expect(event.createdAt).toBeGreaterThan(Date.now() - 60_000)
    }

    const secrets = [
      'Soleil2026',
      'Mauvais-2026',
      temporary,
      'Nouveau-Secret-9',
      token,
      restrictedToken,
      ip,
    ]
    const database = JSON.stringify(await snapshotDatabase())
    const logs = logged.join('\n')
    for (const secret of secrets) {
      expect(database, secret).not.toContain(secret)
      expect(logs, secret).not.toContain(secret)
    }
  })

  it("records an unknown number's attempts without a family", async () => {
    const ip = '127.0.113.51'
    await new Visitor().post(
      '/connexion',
      { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
      { ip },
    )
    const [event] = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.clientKey, clientKeyOf(ip)))
    expect(event!.type).toBe('sign_in_failed')
    expect(event!.familyId).toBeNull()
  })
})

describe('an unexpected error shows a generic page and leaks nothing', () => {
  it('shows a generic French 503 page, opens no session and leaks nothing when storage fails', async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    // A real D1 failure: the table the sign-in needs is gone (each test file has its own database).
    await env.DB.exec('ALTER TABLE sessions RENAME TO sessions_gone')
    try {
      const response = await new Visitor().post('/connexion', {
        identifier: family.familyNumber,
        password: 'Soleil2026',
      })
      expect(response.status).toBe(503)
      const html = await response.text()
      expect(html).toContain('Le service est momentanément indisponible')
      expect(html).toContain('<html lang="fr">')
      // Without its random nonces, which once spelled "SQl" by chance.
      expect(withoutNonces(html)).not.toMatch(/sessions|insert|SQL|D1_|Error|at \w+ \(/i)
      expect(response.headers.getSetCookie().join()).not.toContain('__Host-session=')
      expect(logged.join('\n')).toContain('unhandled_error')
      expect(logged.join('\n')).not.toContain('Soleil2026')
    } finally {
      await env.DB.exec('ALTER TABLE sessions_gone RENAME TO sessions')
    }
  })

  it('logs the route pattern, never the path that holds a family number', async () => {
    const family = await createFamily()
    // A real D1 failure on the agents' family page (the development agent, on loopback).
    await env.DB.exec('ALTER TABLE sessions RENAME TO sessions_gone')
    try {
      const response = await send(`/agents/familles/${family.familyNumber}`)
      expect(response.status).toBe(503)
    } finally {
      await env.DB.exec('ALTER TABLE sessions_gone RENAME TO sessions')
    }
    const lines = logged.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
    const error = lines.find((line) => line.event === 'unhandled_error')
    expect(error).toMatchObject({ route: '/agents/familles/:number' })
    expect(lines.find((line) => line.event === 'request')).toMatchObject({
      route: '/agents/familles/:number',
      status: 503,
    })
    expect(logged.join('\n')).not.toContain(family.familyNumber)
  })

  it('answers 503 with a log line naming the variable when the configuration is invalid', async () => {
    const response = await new Visitor().get('/connexion', {
      env: {
        ENVIRONMENT: 'production',
        MAIL_PROVIDER: 'dev',
        PUBLIC_URL: 'http://famille.example.org',
      },
    })
    expect(response.status).toBe(503)
    expect(await response.text()).toContain('Service indisponible')
    const line = logged.find((entry) => entry.includes('invalid_configuration'))!
    expect(line).toContain('MAIL_PROVIDER')
    expect(line).toContain('PUBLIC_URL')
  })
})
