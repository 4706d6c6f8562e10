import { eq, inArray } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { outbox } from '../../src/db/schema'
import { enqueueMailStatements } from '../../src/services/records/outbox'
import { createFamily, db, letSpacingPass, post, runCron } from '../support/helpers'
import { deliveredKeys, FakeMailApi } from '../support/mail-api'

const MINUTE = 60_000
let logged: string[] = []

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  logged = []
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    })
  }
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** The fake provider, with a one-second timeout so a hanging provider costs a second. */
const providerEnv = (api: FakeMailApi) => api.env({ MAIL_TIMEOUT_SECONDS: '1' })

async function requestTemporaryPassword(env: Record<string, unknown>) {
  const family = await createFamily()
  await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env })
  const [mail] = await db.select().from(outbox).where(eq(outbox.recipient, family.email!))
  return { family, mailId: mail!.id }
}

const row = async (id: number) => (await db.select().from(outbox).where(eq(outbox.id, id)).get())!

describe('the outbox and its cron', () => {
  it('delivers exactly once after a 500, a time-out and a 429', async () => {
    const api = new FakeMailApi('retries')
    const env = providerEnv(api)
    await api.script([500, 'hang', 429], 201)
    const start = Date.now()
    const { mailId } = await requestTemporaryPassword(env)
    expect((await row(mailId)).status).toBe('pending')
    expect((await row(mailId)).lastError).toBe('HTTP 500')

    for (const minutes of [5, 10, 20, 30, 40, 50]) await runCron(start + minutes * MINUTE, env)

    const received = await api.received()
    expect(received.map((request) => request.reply)).toEqual([500, 'hang', 429, 201])
    expect(
      new Set(received.map((request) => JSON.parse(request.body).headers.idempotencyKey)).size,
    ).toBe(1)
    const delivered = await row(mailId)
    expect(delivered.status).toBe('delivered')
    expect(delivered.attempts).toBe(4)
    expect(delivered.text).toBeNull()
    expect(delivered.html).toBeNull()
  })

  it('never sends a temporary password once it has expired: the body is purged and the row says why', async () => {
    const api = new FakeMailApi('down')
    const env = providerEnv(api)
    await api.script([], 503)
    const start = Date.now()
    const { mailId } = await requestTemporaryPassword(env)
    for (let minutes = 10; minutes <= 90; minutes += 10)
      await runCron(start + minutes * MINUTE, env)

    const expired = await row(mailId)
    expect(expired.status).toBe('expired')
    expect(expired.lastError).toBe('expired before delivery')
    expect(expired.text).toBeNull()
    expect(expired.html).toBeNull()
    const attempts = (await api.received()).length
    expect((await api.received()).every((request) => request.reply === 503)).toBe(true)
    await runCron(start + 120 * MINUTE, env)
    expect(await api.received()).toHaveLength(attempts)
  })

  it('withdraws a waiting temporary-password mail when a newer one is issued: the dead one never arrives after it', async () => {
    const api = new FakeMailApi('newer')
    const env = providerEnv(api)
    await api.script([500], 201)
    const start = Date.now()
    const { family, mailId: older } = await requestTemporaryPassword(env)
    expect((await row(older)).status).toBe('pending')

    await letSpacingPass(family.id)
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env })
    const withdrawn = await row(older)
    expect(withdrawn.status).toBe('expired')
    expect(withdrawn.lastError).toBe('replaced by a newer temporary password')
    expect(withdrawn.text).toBeNull()
    for (const minutes of [5, 10, 20]) await runCron(start + minutes * MINUTE, env)

    // The older mail's one failed attempt, then the newer mail, once.
    const received = await api.received()
    expect(received.map((request) => request.reply)).toEqual([500, 201])
    const mails = await db.select().from(outbox).where(eq(outbox.recipient, family.email!))
    const delivered = mails.filter((mail) => mail.status === 'delivered')
    expect(delivered.map((mail) => mail.id)).not.toContain(older)
    expect(delivered).toHaveLength(1)
  })

  it('keeps retrying a refused key and says « clé bloquée » once mails went through before', async () => {
    const api = new FakeMailApi('blocked-key')
    const env = providerEnv(api)
    await api.script([201, 401], 401)
    const start = Date.now()
    const { mailId: first } = await requestTemporaryPassword(env)
    expect((await row(first)).status).toBe('delivered')
    const { mailId: refused } = await requestTemporaryPassword(env)
    const waiting = await row(refused)
    expect(waiting.status).toBe('pending')
    expect(waiting.lastError).toMatch(
      /^HTTP 401 : clé bloquée \(adresses IP inconnues \?\)\. Chez Brevo/,
    )
    await runCron(start + 5 * MINUTE, env)
    expect((await row(refused)).status).toBe('pending')
    expect(
      logged.some((line) => line.includes('"level":"error"') && line.includes('clé bloquée')),
    ).toBe(true)
    // Given up here, so that later tests' cron runs do not send it through their providers.
    await db.update(outbox).set({ status: 'expired' }).where(eq(outbox.id, refused))
  })

  it('sends each of 20 due mails once when two cron runs overlap', async () => {
    const api = new FakeMailApi('overlap')
    const env = providerEnv(api)
    const family = await createFamily()
    const now = Date.now()
    const mails = Array.from({ length: 20 }, (_, index) =>
      enqueueMailStatements(db, {
        familyId: family.id,
        kind: 'password_changed',
        to: `parent-${index}@example.org`,
        content: { subject: 'Test', text: `mail ${index}`, html: `<p>mail ${index}</p>` },
        now,
        expiresAt: now + 60 * MINUTE,
      }),
    )
    const rows = await db.batch(
      mails.flatMap((mail) => [mail.enqueue(), mail.queuedId]) as [never, ...never[]],
    )
    const ids = (rows as Array<Array<{ id: number }>>)
      .filter((_, index) => index % 2 === 1)
      .map(([inserted]) => inserted!.id)
    await Promise.all([runCron(now + MINUTE, env), runCron(now + MINUTE, env)])

    const keys = await deliveredKeys(api)
    expect(keys).toHaveLength(20)
    expect(new Set(keys).size).toBe(20)
    const statuses = await db
      .select({ status: outbox.status })
      .from(outbox)
      .where(inArray(outbox.id, ids))
    expect(statuses.every(({ status }) => status === 'delivered')).toBe(true)
  })

  it('delivers 100 mails exactly once each while the provider fails half the time', async () => {
    const api = new FakeMailApi('flaky')
    // Long-lived temporary passwords: this test is about retries, not expiry.
    const env = { ...providerEnv(api), TEMPORARY_PASSWORD_TTL_MINUTES: '600' }
    await api.script(
      Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? 500 : 202)),
      202,
    )
    const start = Date.now()
    const ids: number[] = []
    for (let i = 0; i < 100; i++) ids.push((await requestTemporaryPassword(env)).mailId)

    for (let run = 1; run <= 40; run++) await runCron(start + run * 10 * MINUTE, env)

    const statuses = await db
      .select({ status: outbox.status })
      .from(outbox)
      .where(inArray(outbox.id, ids))
    expect(statuses.filter(({ status }) => status === 'delivered')).toHaveLength(100)
    const keys = await deliveredKeys(api)
    expect(keys).toHaveLength(100)
    expect(new Set(keys).size).toBe(100)
  }, 60_000)

  it('retries a mail whose sender died mid-send once its lease is over, and only then', async () => {
    const api = new FakeMailApi('lease')
    const env = api.env({ MAIL_TIMEOUT_SECONDS: '60' })
    await api.script(['hang'], 201)
    const family = await createFamily()
    const start = Date.now()
    const answer = await post(
      '/mot-de-passe-oublie',
      { identifier: family.familyNumber },
      { env, waitForBackground: false },
    )
    expect(answer.status).toBe(200)
    await vi.waitFor(async () => expect(await api.received()).toHaveLength(1))
    const [mail] = await db.select().from(outbox).where(eq(outbox.recipient, family.email!))
    expect(mail!.status).toBe('sending')

    await runCron(start + 2 * MINUTE, env)
    expect(await api.received()).toHaveLength(1)
    await runCron(start + 6 * MINUTE, env)
    expect((await row(mail!.id)).status).toBe('delivered')
    expect(await deliveredKeys(api)).toEqual([mail!.idempotencyKey])
  })

  it('stops retrying after a permanent 4xx and records the reason', async () => {
    const api = new FakeMailApi('permanent')
    const env = providerEnv(api)
    await api.script([400], 201)
    const start = Date.now()
    const { mailId } = await requestTemporaryPassword(env)
    for (const minutes of [5, 15, 30]) await runCron(start + minutes * MINUTE, env)
    const failed = await row(mailId)
    expect(failed.status).toBe('failed')
    expect(failed.lastError).toBe('HTTP 400')
    expect(failed.text).toBeNull()
    expect(await api.received()).toHaveLength(1)
  })

  it("logs each run's counts and the oldest pending age, and failures with their reason only", async () => {
    const api = new FakeMailApi('ops')
    const env = providerEnv(api)
    await api.script([], 503)
    const start = Date.now()
    const { family } = await requestTemporaryPassword(env)
    await runCron(start + 5 * MINUTE, env)
    const run = logged
      .map((line) => {
        try {
          return JSON.parse(line)
        } catch {
          return null
        }
      })
      .find((line) => line?.event === 'outbox_run')
    expect(run.outbox.pending).toBeGreaterThanOrEqual(1)
    expect(run.outbox.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(5 * 60)
    expect(run).toHaveProperty('outbox.delivered')
    expect(run).toHaveProperty('outbox.failed')
    const failure = logged.find((line) => line.includes('mail_not_delivered'))!
    expect(failure).toContain('HTTP 503')
    const everything = logged.join('\n')
    expect(everything).not.toContain(family.email!)
    expect(everything).not.toMatch(/Mot de passe : |[0-9a-f]{32}/)
  })
})

describe('MAIL_PROVIDER=cloudflare', () => {
  it('sends the same content through the send_email binding', async () => {
    const sent: unknown[] = []
    const binding = {
      async send(message: unknown) {
        sent.push(message)
        return { messageId: `fake-${sent.length}` }
      },
    }
    const env = { MAIL_PROVIDER: 'cloudflare', EMAIL: binding }
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env })
    const [mail] = await db.select().from(outbox).where(eq(outbox.recipient, family.email!))
    expect(mail!.status).toBe('delivered')
    expect(sent).toHaveLength(1)
    const message = sent[0] as Record<string, unknown>
    expect(message.from).toEqual({ name: 'Portail Famille', email: 'ne-pas-repondre@example.org' })
    expect(message.to).toBe(family.email)
    expect(message.subject).toBe('Envoi de vos identifiants de connexion')
    expect(message.text).toMatch(/- Mot de passe : [0-9a-f]{32}/)
    expect(message.html).toMatch(/Mot de passe : <code>[0-9a-f]{32}<\/code>/)
  })

  it('retries when the binding throws', async () => {
    let calls = 0
    const env = {
      MAIL_PROVIDER: 'cloudflare',
      EMAIL: {
        async send() {
          calls++
          if (calls === 1) throw new Error('E_RATE_LIMIT_EXCEEDED')
          return { messageId: 'ok' }
        },
      },
    }
    const start = Date.now()
    const { mailId } = await requestTemporaryPassword(env)
    expect((await row(mailId)).status).toBe('pending')
    await runCron(start + 5 * MINUTE, env)
    expect((await row(mailId)).status).toBe('delivered')
    expect(calls).toBe(2)
  })
})
