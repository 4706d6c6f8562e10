import { and, desc, eq, exists, gt, inArray, like, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { attemptCounters, families, outbox, securityEvents, sessions } from '../db/schema'
import { forgetDevicesStatement, listDevicesStatement } from './devices'
import { limitKey } from './limits'
import { RETENTION } from './retention'
import { recordEventStatement } from './security-events'

// What the agents' console reads and does (PRODUCT.md §11). Every action is a security event that
// names the agent; no body of a mail is ever read here.
const LISTED = 20

/** Families by number (from its first digits), name or e-mail; 50 at most. */
export function searchFamilies(db: Db, query: string) {
  const q = query.trim().replace(/[%_\\]/g, '')
  if (/^\d+$/.test(q)) {
    return db
      .select()
      .from(families)
      .where(like(families.familyNumber, `${q}%`))
      .limit(50)
  }
  // SQLite folds the case of ASCII letters only: "ZÉBULON" is searched as typed, in lower and in
  // upper case.
  const variants = [...new Set([q, q.toLowerCase(), q.toUpperCase()])].map((v) => `%${v}%`)
  const columns = [families.lastName, families.firstName, families.email]
  const where = or(...columns.flatMap((column) => variants.map((v) => like(column, v))))
  return db.select().from(families).where(where).orderBy(families.lastName).limit(50)
}

/** The keys of the limits an agent can see and lift for a family (the per-client ones are not its). */
const familyLimitKeys = (familyNumber: string) => [
  limitKey('signin-number', familyNumber),
  limitKey('signin-devices', familyNumber),
]

export async function familyOverview(db: Db, familyNumber: string, now: number) {
  const family = await db
    .select()
    .from(families)
    .where(eq(families.familyNumber, familyNumber))
    .get()
  if (!family) return null
  const [live, limits, mails, events, knownDevices] = await db.batch([
    db
      .select({ count: sql<number>`count(*)` })
      .from(sessions)
      .where(and(eq(sessions.familyId, family.id), gt(sessions.expiresAt, now))),
    db
      .select()
      .from(attemptCounters)
      .where(
        and(
          inArray(attemptCounters.key, familyLimitKeys(familyNumber)),
          gt(attemptCounters.blockedUntil, now),
        ),
      ),
    db
      .select({
        id: outbox.id,
        kind: outbox.kind,
        status: outbox.status,
        attempts: outbox.attempts,
        lastError: outbox.lastError,
        createdAt: outbox.createdAt,
        deliveredAt: outbox.deliveredAt,
      })
      .from(outbox)
      .where(eq(outbox.familyId, family.id))
      .orderBy(desc(outbox.id))
      .limit(LISTED),
    db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.familyId, family.id))
      .orderBy(desc(securityEvents.id))
      .limit(LISTED),
    listDevicesStatement(db, family.id),
  ])
  return {
    family,
    liveSessions: live[0]?.count ?? 0,
    limits: limits.map((row) => ({
      what: row.key.startsWith('signin-number:')
        ? 'connexions depuis des appareils inconnus'
        : 'connexions depuis les appareils de confiance',
      until: row.blockedUntil!,
    })),
    mails,
    events,
    devices: knownDevices,
  }
}

const agentEvent = (db: Db, familyId: number, agent: string, what: string) =>
  recordEventStatement(db, {
    type: 'agent_action',
    familyId,
    clientKey: null,
    detail: `${what} by agent ${agent}`,
  })

export async function endFamilySessions(db: Db, familyId: number, agent: string) {
  const [ended] = await db.batch([
    db.delete(sessions).where(eq(sessions.familyId, familyId)).returning({ id: sessions.id }),
    agentEvent(db, familyId, agent, 'sessions ended'),
  ])
  return ended.length
}

/** Forgets the family's devices: their cookies count as unknown clients from now on. */
export async function forgetFamilyDevices(db: Db, familyId: number, agent: string) {
  const [forgotten] = await db.batch([
    forgetDevicesStatement(db, familyId),
    agentEvent(db, familyId, agent, 'devices forgotten'),
  ])
  return forgotten.length
}

export async function liftFamilyLimits(
  db: Db,
  family: { id: number; familyNumber: string },
  agent: string,
) {
  await db.batch([
    db
      .delete(attemptCounters)
      .where(inArray(attemptCounters.key, familyLimitKeys(family.familyNumber))),
    agentEvent(db, family.id, agent, 'limits lifted'),
  ])
}

/** Queues again a "password changed" notice that failed; false if there is none such. */
export async function requeueFailedNotice(
  db: Db,
  input: { familyId: number; mailId: number },
  agent: string,
  now: number,
) {
  const [requeued] = await db.batch([
    db
      .update(outbox)
      .set({
        status: 'pending',
        nextAttemptAt: now,
        expiresAt: now + RETENTION.noticeMs,
        lastError: null,
      })
      .where(
        and(
          eq(outbox.id, input.mailId),
          eq(outbox.familyId, input.familyId),
          eq(outbox.kind, 'password_changed'),
          eq(outbox.status, 'failed'),
          sql`${outbox.text} is not null`,
        ),
      )
      .returning({ id: outbox.id }),
    recordEventStatement(
      db,
      {
        type: 'agent_action',
        familyId: input.familyId,
        clientKey: null,
        detail: `notice ${input.mailId} queued again by agent ${agent}`,
      },
      // Only if it was: the row the update just made due.
      exists(
        db
          .select({ one: sql`1` })
          .from(outbox)
          .where(
            and(
              eq(outbox.id, input.mailId),
              eq(outbox.status, 'pending'),
              eq(outbox.nextAttemptAt, now),
            ),
          ),
      ),
    ),
  ])
  return requeued.length === 1
}

/** The last failures, for the outbox page (reasons only: never an address or a body). */
export function lastFailures(db: Db) {
  return db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
    })
    .from(outbox)
    .where(eq(outbox.status, 'failed'))
    .orderBy(desc(outbox.id))
    .limit(LISTED)
}
