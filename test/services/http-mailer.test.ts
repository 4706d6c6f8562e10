import { describe, expect, it } from 'vitest'
import { createHttpMailer } from '../../src/services/mail/http-mailer'
import { createFamily, post } from '../support/helpers'
import { FakeMailApi } from '../support/mail-api'

const mail = {
  from: 'Portail Famille <ne-pas-repondre@example.org>',
  to: 'claire.martin@example.org',
  subject: 'Envoi de vos identifiants de connexion',
  text: 'Bonjour',
  html: '<p>Bonjour</p>',
  idempotencyKey: '6f1c3c4e-8d3a-4b7e-9a55-1d2f3e4a5b6c',
}

describe('the HTTP mailer (Brevo transactional API)', () => {
  it('posts the documented JSON with the api-key header', async () => {
    const api = new FakeMailApi('shape')
    const result = await createHttpMailer({
      apiUrl: api.sendUrl,
      apiKey: 'secret-key',
      timeoutMs: 5_000,
    }).send(mail)
    expect(result).toEqual({ ok: true })
    const [request] = await api.received()
    expect(request!.url).toBe(api.sendUrl)
    expect(request!.method).toBe('POST')
    expect(request!.headers['api-key']).toBe('secret-key')
    expect(request!.headers['content-type']).toBe('application/json')
    expect(JSON.parse(request!.body)).toEqual({
      sender: { name: 'Portail Famille', email: 'ne-pas-repondre@example.org' },
      to: [{ email: 'claire.martin@example.org' }],
      subject: 'Envoi de vos identifiants de connexion',
      textContent: 'Bonjour',
      htmlContent: '<p>Bonjour</p>',
      headers: { idempotencyKey: '6f1c3c4e-8d3a-4b7e-9a55-1d2f3e4a5b6c' },
    })
  })

  it.each([
    [500, { retryable: true }],
    [503, { retryable: true }],
    [400, { retryable: false }],
    // A refused key (wrong, or blocked for an unknown IP): retried until the mail expires.
    [401, { retryable: true, keyRefused: true }],
    // The provider's rate (429) or credits (402): a quota failure, always retried.
    [429, { retryable: true, quota: true }],
    [402, { retryable: true, quota: true }],
  ])('reports HTTP %i as a failure: %o', async (status, expected) => {
    const api = new FakeMailApi('status')
    await api.script([status])
    const result = await createHttpMailer({
      apiUrl: api.sendUrl,
      apiKey: 'k',
      timeoutMs: 5_000,
    }).send(mail)
    expect(result).toEqual({ ok: false, reason: `HTTP ${status}`, ...expected })
  })

  it.each([301, 302, 307, 308])(
    'never follows a %i redirect (the API key would go with it): a failure, not retried',
    async (status) => {
      const api = new FakeMailApi('redirect')
      await api.script([status])
      const result = await createHttpMailer({
        apiUrl: api.sendUrl,
        apiKey: 'secret-key',
        timeoutMs: 5_000,
      }).send(mail)
      expect(result).toEqual({
        ok: false,
        retryable: false,
        reason: `HTTP ${status} (redirect not followed)`,
      })
      expect(await api.received()).toHaveLength(1)
      expect(await api.receivedElsewhere()).toHaveLength(0)
    },
  )

  it('delivers the forgot-password mail through the app when MAIL_PROVIDER is http', async () => {
    const api = new FakeMailApi('app')
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env: api.env() })
    const [request] = await api.received()
    const body = JSON.parse(request!.body)
    expect(body.to).toEqual([{ email: family.email }])
    expect(body.subject).toBe('Envoi de vos identifiants de connexion')
    expect(body.textContent).toContain(`- Login : ${family.familyNumber}`)
    expect(body.textContent).toMatch(/- Mot de passe : [0-9a-f]{32}/)
  })
})
