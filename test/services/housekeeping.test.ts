import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import {
  attemptCounters,
  outbox,
  securityEvents,
  sessions,
  temporaryPasswords,
} from '../../src/db/schema'
import { deleteStaleAttemptsStatement } from '../../src/services/limits'
import { deleteLongClosedFamiliesStatement } from '../../src/services/records/families'
import {
  deleteFinishedMailsStatement,
  enqueueMailStatements,
  expireOverdueMails,
} from '../../src/services/records/outbox'
import { deleteOldEventsStatement } from '../../src/services/records/security-events'
import { deleteExpiredSessionsStatements } from '../../src/services/records/sessions'
import { deleteSpentTemporaryPasswordsStatement } from '../../src/services/records/temporary-passwords'
import { instrumentD1 } from '../support/d1-double'
import { createFamily, db, runCron, testConfig, testEnv } from '../support/helpers'
import { FakeMailApi } from '../support/mail-api'

const DAY = 24 * 3_600_000

describe("the cron run's housekeeping", () => {
  it('deletes what is spent or stale and keeps what is live', async () => {
    const now = Date.now()
    const family = await createFamily()
    await db.batch([
      db.insert(attemptCounters).values([
        { key: 'signin-number:stale', count: 3, windowStartedAt: now - 2 * DAY },
        { key: 'signin-number:live', count: 3, windowStartedAt: now - 60_000 },
      ]),
      db.insert(temporaryPasswords).values([
        { familyId: family.id, secretHash: `spent-${now}`, expiresAt: now - 1 },
        { familyId: family.id, secretHash: `live-${now}`, expiresAt: now + 3_600_000 },
      ]),
      db.insert(sessions).values([
        {
          id: `ended-${now}`,
          familyId: family.id,
          kind: 'full',
          lastSeenAt: now - DAY,
          expiresAt: now - 1,
        },
        {
          id: `live-${now}`,
          familyId: family.id,
          kind: 'full',
          lastSeenAt: now,
          expiresAt: now + DAY,
        },
      ]),
      db.insert(securityEvents).values([
        {
          type: 'sign_in_failed',
          familyId: family.id,
          clientKey: 'old',
          createdAt: now - 400 * DAY,
        },
        {
          type: 'sign_in_failed',
          familyId: family.id,
          clientKey: 'recent',
          createdAt: now - 30 * DAY,
        },
      ]),
    ])

    const mail = (to: string, createdAt: number, expiresAt = createdAt + 3 * DAY) =>
      enqueueMailStatements(db, {
        familyId: family.id,
        kind: 'password_changed',
        to,
        content: { subject: 'Test', text: 'x', html: '<p>x</p>' },
        now: createdAt,
        expiresAt,
      }).enqueue()
    await db.batch([
      mail('old-delivered@example.org', now - 40 * DAY),
      mail('recent-delivered@example.org', now - 5 * DAY),
    ])
    await db.update(outbox).set({ status: 'delivered' })
    // Being sent right now (leased): a month-old row that is not finished is never deleted by age.
    await db.batch([mail('old-sending@example.org', now - 40 * DAY, now + DAY)])
    await db
      .update(outbox)
      .set({ status: 'sending', nextAttemptAt: now + 60_000 })
      .where(eq(outbox.recipient, 'old-sending@example.org'))

    await runCron(now)

    const keys = (await db.select().from(attemptCounters)).map((row) => row.key)
    expect(keys).toContain('signin-number:live')
    expect(keys).not.toContain('signin-number:stale')
    const secrets = (
      await db.select().from(temporaryPasswords).where(eq(temporaryPasswords.familyId, family.id))
    ).map((row) => row.secretHash)
    expect(secrets).toEqual([`live-${now}`])
    const ids = (await db.select().from(sessions).where(eq(sessions.familyId, family.id))).map(
      (row) => row.id,
    )
    expect(ids).toEqual([`live-${now}`])
    const events = (
      await db.select().from(securityEvents).where(eq(securityEvents.familyId, family.id))
    ).map((row) => row.clientKey)
    expect(events).toEqual(['recent'])
    const recipients = (await db.select().from(outbox)).map((row) => row.recipient).sort()
    expect(recipients).toEqual(['old-sending@example.org', 'recent-delivered@example.org'])
  })

  it("stays within D1's queries per invocation at its largest run: a full batch of due mails", async () => {
    const now = Date.now()
    const family = await createFamily()
    const api = new FakeMailApi('largest-run')
    // More due mails than one run takes (50): the run sends a full batch.
    const [first, ...rest] = Array.from({ length: 60 }, (_, index) =>
      enqueueMailStatements(db, {
        familyId: family.id,
        kind: 'password_changed',
        to: `largest-${index}@example.org`,
        content: { subject: 'Test', text: 'x', html: '<p>x</p>' },
        now,
        expiresAt: now + DAY,
      }).enqueue(),
    )
    await db.batch([first!, ...rest])
    const counted = instrumentD1(testEnv.DB)
    // The Worker's binding is guarded (db/d1-limits.ts): past 1 000 queries the run would throw.
    await runCron(now, { ...api.env(), DB: counted.db })
    expect(await api.received()).toHaveLength(50)
    const queries = counted.calls.flat().length
    console.log(`D1 queries of the cron's largest run: ${queries} in ${counted.calls.length} calls`)
    expect(queries).toBeLessThanOrEqual(1_000)
  })
  // D1 bills rows read: the every-minute run must find what it deletes by index, not by reading
  // every row of the table (SQLite's plan says "SCAN t" for that, "SEARCH t USING INDEX" otherwise).
  it('finds what it deletes by index, never by scanning a whole table', async () => {
    const now = Date.now()
    const [expiredSessions, idleSessions] = deleteExpiredSessionsStatements(
      db,
      testConfig.session,
      now,
    )
    const statements = {
      expiredSessions,
      idleSessions,
      attemptCounters: deleteStaleAttemptsStatement(db, now),
      temporaryPasswords: deleteSpentTemporaryPasswordsStatement(db, now),
      securityEvents: deleteOldEventsStatement(db, now),
      finishedMails: deleteFinishedMailsStatement(db, now),
      overdueMails: expireOverdueMails(db, now),
      closedFamilies: deleteLongClosedFamiliesStatement(db, now),
    }
    for (const [name, statement] of Object.entries(statements)) {
      const { sql, params } = statement.toSQL()
      const { results } = await testEnv.DB.prepare(`explain query plan ${sql}`)
        .bind(...params)
        .all<{ detail: string }>()
      const plan = results.map((row) => row.detail)
      expect(plan.length, name).toBeGreaterThan(0)
      expect(
        plan.filter((step) => /^SCAN \w+$/.test(step)),
        `${name}: ${plan.join(' / ')}`,
      ).toEqual([])
    }
  })
})
