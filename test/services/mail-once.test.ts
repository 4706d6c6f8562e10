import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { outbox } from '../../src/db/schema'
import type { Mailer, SendResult } from '../../src/services/mail/mailer'
import { createHttpMailer } from '../../src/services/mail/http-mailer'
import { deliverDueMails, deliverOutboxMail } from '../../src/services/mail/delivery'
import { enqueueMailStatements } from '../../src/services/records/outbox'
import { createFamily, db, post, runCron } from '../support/helpers'
import { deliveredKeys, FakeMailApi } from '../support/mail-api'

// A mail goes once (docs/mail.md, leases): every outcome is fenced to the claim that sent it.
const MINUTE = 60_000
const options = {
  from: 'Portail Famille <ne-pas-repondre@example.org>',
  keepBodies: false,
  budgetPerHour: 500,
}

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
    const first = deliverOutboxMail(db, slow.mailer, mail.id, options, () => due)
    // The first claim's lease (5 minutes) runs out; another deliverer claims and delivers.
    await new Promise((wait) => setTimeout(wait, 50))
    expect(
      await deliverOutboxMail(db, instantMailer, mail.id, options, () => due + 6 * MINUTE),
    ).toBe('delivered')
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
    const first = deliverOutboxMail(db, slow.mailer, mail.id, options, () => due)
    await new Promise((wait) => setTimeout(wait, 50))
    await deliverOutboxMail(db, instantMailer, mail.id, options, () => due + 6 * MINUTE)
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
      () => mail.nextAttemptAt,
    )
    expect(result).toBe('retrying')
    expect(Date.now() - started).toBeLessThan(2_000)
    const after = (await db.select().from(outbox).where(eq(outbox.id, mail.id)).get())!
    expect(after.lastError).toBe('timeout')
  })
})

describe('a delivery run slower than its lease', () => {
  // The lease of src/services/mail/outbox.ts: a claimed mail is due again 5 minutes after its claim.
  const LEASE = 5 * MINUTE

  /** Two mails due at `at`, alone in the outbox: a run claims every due mail. */
  async function twoDueMails(at: number) {
    await db.delete(outbox)
    const family = await createFamily()
    const queue = () =>
      enqueueMailStatements(db, {
        familyId: family.id,
        kind: 'password_changed',
        to: family.email!,
        content: {
          subject: 'Votre mot de passe a été modifié',
          text: 'texte',
          html: '<p>html</p>',
        },
        now: at,
        expiresAt: at + 72 * 60 * MINUTE,
      })
    const first = queue()
    const second = queue()
    const [, firstId, , secondId] = await db.batch([
      first.enqueue(),
      first.queuedId,
      second.enqueue(),
      second.queuedId,
    ])
    const row = async (id: number) =>
      (await db.select().from(outbox).where(eq(outbox.id, id)).get())!
    return { first: await row(firstId[0]!.id), second: await row(secondId[0]!.id), row }
  }

  /** The real HTTP mailer towards the fake provider, which records every send it receives. */
  function provider() {
    const api = new FakeMailApi('lease')
    const mailer = createHttpMailer({ apiUrl: api.sendUrl, apiKey: 'k', timeoutMs: 5_000 })
    return { api, mailer }
  }

  /** `mailer`, with `during(n)` run while the n-th send (from 1) is at the provider. */
  const slowAt = (mailer: Mailer, during: (n: number) => Promise<void>): Mailer => {
    let sends = 0
    return {
      async send(mail) {
        const result = await mailer.send(mail)
        await during(++sends)
        return result
      },
    }
  }

  it('does not send a mail whose claim expired while an earlier mail of the run was sent, so the next run sends it once', async () => {
    const start = Date.now()
    const { second, row } = await twoDueMails(start)
    const { api, mailer } = provider()
    let time = start
    const run = slowAt(mailer, async (n) => {
      if (n !== 1) return
      // The first send outlasts the lease of both claims; the next cron run claims them again.
      time = start + LEASE + MINUTE
      await deliverDueMails(db, mailer, options, { clock: () => time, limit: 50, parallel: 5 })
    })
    await deliverDueMails(db, run, options, { clock: () => time, limit: 50, parallel: 1 })

    const sends = await deliveredKeys(api)
    expect(sends.filter((key) => key === second.idempotencyKey)).toHaveLength(1)
    expect((await row(second.id)).status).toBe('delivered')
    expect((await row(second.id)).attempts).toBe(1)
  })

  it('leases each mail from the moment it is sent, so a later run cannot claim it mid-send', async () => {
    const start = Date.now()
    const { first, second, row } = await twoDueMails(start)
    const { api, mailer } = provider()
    let time = start
    const run = slowAt(mailer, async (n) => {
      // The first send takes 4 minutes, the second 2: a lease counted from the run's start
      // (start + 5 minutes) would run out during the second, and the next run would send it again.
      time += (n === 1 ? 4 : 2) * MINUTE
      if (n === 2) {
        await deliverDueMails(db, mailer, options, { clock: () => time, limit: 50, parallel: 5 })
      }
    })
    await deliverDueMails(db, run, options, { clock: () => time, limit: 50, parallel: 1 })

    expect(await deliveredKeys(api)).toEqual([first.idempotencyKey, second.idempotencyKey])
    expect((await row(first.id)).status).toBe('delivered')
    expect((await row(second.id)).status).toBe('delivered')
  })
})
