import { and, count, desc, eq, gt, like, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { RETENTION } from '../retention'
import { families, securityEvents, type SecurityEventType } from '../../db/schema'

export type { SecurityEventType }

// ASVS 5.0 V16.3.1-2: authentication events are logged, with no secret in them: a type, the family when
// known, the client's network only as a keyed hash (client-key.ts).
export type EventInput = {
  type: SecurityEventType
  familyId?: number | null
  // Null when no client is behind it (an ops command).
  clientKey: string | null
  // Its outcome in words; SQL when the batch's own state says it (how many sessions it ends).
  detail?: string | SQL
  // An agent's action (the journal): who, and which of AGENT_ACTIONS (src/paths.ts).
  agent?: string
  action?: string
}

/** An event, as a statement for a db.batch; with `fence`, written only if the fence holds then. */
export function recordEventStatement(db: Db, event: EventInput, fence?: SQL) {
  const values = {
    type: event.type,
    familyId: event.familyId ?? null,
    clientKey: event.clientKey,
    detail: event.detail ?? null,
    agent: event.agent ?? null,
    action: event.action ?? null,
  }
  return insertWhereStatement(db, securityEvents, values, fence)
}

export function deleteOldEventsStatement(db: Db, now: number) {
  return db
    .delete(securityEvents)
    .where(lt(securityEvents.createdAt, now - RETENTION.securityEventsMs))
}

export const EVENTS_PAGE_SIZE = 20

/** One page of the family's events, newest first, and how many it has (the agents' family page). */
export function familyEventsStatements(db: Db, familyId: number, page: number) {
  return [
    db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.familyId, familyId))
      .orderBy(desc(securityEvents.id))
      .limit(EVENTS_PAGE_SIZE)
      .offset((page - 1) * EVENTS_PAGE_SIZE),
    db.select({ total: count() }).from(securityEvents).where(eq(securityEvents.familyId, familyId)),
  ] as const
}

export const JOURNAL_PAGE_SIZE = 50

/**
 * The agents' journal: their actions, newest first, by one agent or on one family if asked; one page,
 * and how many in all. Through the (agent, id) index: `agent > ''` is every agent.
 */
export function agentActionsStatements(
  db: Db,
  filter: { agent?: string; familyId?: number },
  page: number,
) {
  const where = and(
    filter.agent ? eq(securityEvents.agent, filter.agent) : gt(securityEvents.agent, ''),
    filter.familyId === undefined ? undefined : eq(securityEvents.familyId, filter.familyId),
  )
  return [
    db
      .select({
        id: securityEvents.id,
        createdAt: securityEvents.createdAt,
        agent: securityEvents.agent,
        action: securityEvents.action,
        detail: securityEvents.detail,
        network: securityEvents.clientKey,
        familyNumber: families.familyNumber,
        lastName: families.lastName,
        firstName: families.firstName,
      })
      .from(securityEvents)
      .leftJoin(families, eq(families.id, securityEvents.familyId))
      .where(where)
      .orderBy(desc(securityEvents.id))
      .limit(JOURNAL_PAGE_SIZE)
      .offset((page - 1) * JOURNAL_PAGE_SIZE),
    db.select({ total: count() }).from(securityEvents).where(where),
    // The journal's filter lists the agents it knows.
    db
      .selectDistinct({ agent: securityEvents.agent })
      .from(securityEvents)
      .where(gt(securityEvents.agent, ''))
      .orderBy(securityEvents.agent),
  ] as const
}

const LISTED = 20

/**
 * The client networks (their keyed hash) with a `limit_reached` event whose detail matches one of
 * `details` (LIKE patterns) since `since`, with the last detail and time, newest first.
 */
export function findRecentLimitEvents(db: Db, details: string[], since: number) {
  return db
    .select({
      network: securityEvents.clientKey,
      detail: sql<string>`max(${securityEvents.detail})`,
      at: sql<number>`max(${securityEvents.createdAt})`,
    })
    .from(securityEvents)
    .where(
      and(
        eq(securityEvents.type, 'limit_reached'),
        gt(securityEvents.createdAt, since),
        or(...details.map((detail) => like(securityEvents.detail, detail))),
      ),
    )
    .groupBy(securityEvents.clientKey)
    .orderBy(desc(sql`max(${securityEvents.createdAt})`))
    .limit(LISTED)
}
