import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { outbox } from '../../src/db/schema'
import type { Mailer, SendResult } from '../../src/services/mail/mailer'
import { deliverOutboxMail } from '../../src/services/mail/outbox'
import { createFamily, db, post, runCron } from '../helpers'
import { FakeMailApi } from '../mail-api'

// A mail goes once (issue 11): every outcome is fenced to the claim that sent it.
const MINUTE = 60_000
const options = { from: 'Portail Famille <ne-pas-repondre@example.org>', keepBodies: false }

afterEach(() => {
  vi.useRealTimers()
})

async function queuedMail() {
  const family = await createFamily()
  // MAIL_PROVIDER=http towards a fake that never answers: the mail stays queued, due again later.
  const api = new FakeMailApi('queued')
  await api.script([], 'hang')
  await post(
    '/mot-de-passe-oublie',
    { identifier: family.familyNumber },
    {
      env: api.env({ MAIL_TIMEOUT_SECONDS: '1' }),
    },
  )
  const [mail] = await db.select().from(outbox).where(eq(outbox.recipient, family.email!))
  return mail!
}

/** A mailer whose answer the test releases when it wants: a provider slower than the lease. */
function slowMailer() {
  let release!: (result: SendResult) => void
  const answer = new Promise<SendResult>((resolve) => (release = resolve))
  const mailer: Mailer = { send: () => answer }
  return { mailer, release }
}

const instantMailer: Mailer = { send: async () => ({ ok: true }) }

describe('a mail goes once', () => {
  it('keeps the row delivered when the answer of an earlier, expired claim comes in late', async () => {
    const mail = await queuedMail()
    const due = mail.nextAttemptAt
    const slow = slowMailer()
    const first = deliverOutboxMail(db, slow.mailer, mail.id, options, due)
    // The first claim's lease (5 minutes) runs out; another deliverer claims and delivers.
    await new Promise((wait) => setTimeout(wait, 50))
    expect(await deliverOutboxMail(db, instantMailer, mail.id, options, due + 6 * MINUTE)).toBe(
      'delivered',
    )
    const delivered = (await db.select().from(outbox).where(eq(outbox.id, mail.id)).get())!

    slow.release({ ok: true })
    await first
    const after = (await db.select().from(outbox).where(eq(outbox.id, mail.id)).get())!
    expect(after).toEqual(delivered)
  })

  it('does not reset a delivered row to pending when a late failure comes in', async () => {
    const mail = await queuedMail()
    const due = mail.nextAttemptAt
    const slow = slowMailer()
    const first = deliverOutboxMail(db, slow.mailer, mail.id, options, due)
    await new Promise((wait) => setTimeout(wait, 50))
    await deliverOutboxMail(db, instantMailer, mail.id, options, due + 6 * MINUTE)
    const delivered = (await db.select().from(outbox).where(eq(outbox.id, mail.id)).get())!

    slow.release({ ok: false, retryable: true, reason: 'timeout' })
    await first
    const after = (await db.select().from(outbox).where(eq(outbox.id, mail.id)).get())!
    expect(after.status).toBe('delivered')
    expect(after).toEqual(delivered)
  })

  it('retries a mail the provider took but answered after the time-out with the same idempotency key', async () => {
    const api = new FakeMailApi('late')
    const env = api.env({ MAIL_TIMEOUT_SECONDS: '1' })
    await api.script(['late', 'late'], 201)
    const family = await createFamily()
    const start = Date.now()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber }, { env })
    const [row] = await db.select().from(outbox).where(eq(outbox.recipient, family.email!))
    expect(row!.status).toBe('pending')
    expect(row!.lastError).toBe('timeout')

    for (const minutes of [5, 15]) await runCron(start + minutes * MINUTE, env)
    const received = await api.received()
    expect(received.map((request) => request.reply)).toEqual(['late', 'late', 201])
    const keys = received.map((request) => JSON.parse(request.body).headers.idempotencyKey)
    expect(new Set(keys)).toEqual(new Set([row!.idempotencyKey]))
    const delivered = (await db.select().from(outbox).where(eq(outbox.id, row!.id)).get())!
    expect(delivered.status).toBe('delivered')
    expect(delivered.attempts).toBe(3)
  })

  it('gives the send_email binding the same time-out as the HTTP API', async () => {
    const mail = await queuedMail()
    const { createCloudflareMailer } = await import('../../src/services/mail/cloudflare-mailer')
    const hanging = { send: () => new Promise<never>(() => {}) } as unknown as SendEmail
    const started = Date.now()
    const result = await deliverOutboxMail(
      db,
      createCloudflareMailer(hanging, 200),
      mail.id,
      options,
      mail.nextAttemptAt,
    )
    expect(result).toBe('retrying')
    expect(Date.now() - started).toBeLessThan(2_000)
    const after = (await db.select().from(outbox).where(eq(outbox.id, mail.id)).get())!
    expect(after.lastError).toBe('timeout')
  })
})
