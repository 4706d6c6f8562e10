import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { outbox } from '../../src/db/schema'
import { createFamily, db, post } from '../support/helpers'

// A file of its own: the global budget is one counter for the whole D1, and each test file has its
// own D1, so this one starts from zero whatever other tests sent.

const numberMailsTo = (address: string) =>
  db
    .select()
    .from(outbox)
    .where(and(eq(outbox.kind, 'family_number'), eq(outbox.recipient, address)))

describe('« Numéro de famille oublié ? » and the global mail budget', () => {
  it('counts the mail to an address shared by three families once', async () => {
    const budget = { MAIL_BUDGET_PER_HOUR: '2' }
    const shared = 'fratrie@example.org'
    for (let i = 0; i < 3; i++) await createFamily({ email: shared })
    const next = await createFamily()
    const last = await createFamily()
    for (const address of [shared, next.email!, last.email!]) {
      expect((await post('/numero-oublie', { email: address }, { env: budget })).status).toBe(200)
    }
    const [mail, ...more] = await numberMailsTo(shared)
    expect(more).toEqual([])
    expect(mail!.status).toBe('delivered')
    expect([...mail!.text!.matchAll(/- Login : \d{15}/g)]).toHaveLength(3)
    const [nextMail] = await numberMailsTo(next.email!)
    expect(nextMail!.status).toBe('delivered')
    // The budget is real: the third mail of the hour waits in the outbox for the next window.
    const [waiting] = await numberMailsTo(last.email!)
    expect(waiting!.status).toBe('pending')
    expect(waiting!.nextAttemptAt).toBeGreaterThan(Date.now())
  })
})
