import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { outbox } from '../../src/db/schema'
import { createFamily, db, queueNotice, send } from '../support/helpers'

const MINUTE = 60_000

const queueMail = async (createdAt: number) => queueNotice(await createFamily(), createdAt)

describe('GET /healthz', () => {
  it('answers 200 when D1 answers', async () => {
    const response = await send('/healthz')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
  })

  it('answers 503 when D1 does not', async () => {
    // The one way to make D1 fail on demand: a binding that throws as an unreachable database would.
    const unreachable = {
      prepare() {
        throw new Error('D1_ERROR: Network connection lost.')
      },
    }
    const response = await send('/healthz', { env: { DB: unreachable } })
    expect(response.status).toBe(503)
    expect(await response.text()).toBe('indisponible')
  })
  // An ordinary uptime monitor alerts on a 503: mail that stopped going out must give one.
  it('answers 503 with the reason when the oldest waiting mail waits for more than 15 minutes', async () => {
    const id = await queueMail(Date.now() - 16 * MINUTE)
    const response = await send('/healthz')
    expect(response.status).toBe(503)
    expect(await response.text()).toBe(
      'indisponible : e-mails en retard : le plus ancien attend depuis 16 minutes',
    )
    await db.update(outbox).set({ status: 'delivered' }).where(eq(outbox.id, id))
    expect((await send('/healthz')).status).toBe(200)
  })

  it('does not count as late a mail the hourly budget put off: a stranger who spends it pages no one', async () => {
    const id = await queueMail(Date.now() - 40 * MINUTE)
    // As the budget defers a mail: due again when the hour's window ends, never tried.
    await db
      .update(outbox)
      .set({ nextAttemptAt: Date.now() + 20 * MINUTE })
      .where(eq(outbox.id, id))
    expect((await send('/healthz')).status).toBe(200)
    // Tried and failed, then waiting for its next attempt: late.
    await db.update(outbox).set({ attempts: 1, lastError: 'HTTP 500' }).where(eq(outbox.id, id))
    expect((await send('/healthz')).status).toBe(503)
    await db.update(outbox).set({ status: 'delivered' }).where(eq(outbox.id, id))
  })

  it('answers 503 with the reason when the last 5 mails tried all failed, 200 after one goes out', async () => {
    const ids = []
    for (let i = 0; i < 5; i++) ids.push(await queueMail(Date.now()))
    for (const id of ids) {
      await db
        .update(outbox)
        .set({ status: 'failed', attempts: 1, lastError: 'HTTP 401 : clé bloquée' })
        .where(eq(outbox.id, id))
    }
    const response = await send('/healthz')
    expect(response.status).toBe(503)
    expect(await response.text()).toBe(
      'indisponible : e-mails en échec : les 5 derniers envois ont échoué (HTTP 401)',
    )
    const next = await queueMail(Date.now())
    await db.update(outbox).set({ status: 'delivered', attempts: 1 }).where(eq(outbox.id, next))
    expect((await send('/healthz')).status).toBe(200)
  })
})
