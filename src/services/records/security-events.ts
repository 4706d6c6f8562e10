import { and, desc, eq, gt, like, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { RETENTION } from '../retention'
import { securityEvents, type SecurityEventType } from '../../db/schema'

export type { SecurityEventType }

// ASVS 5.0 V16.3.1-2: authentication events are logged, with no secret in them: a type, the family when
// known, the client's network only as a keyed hash (client-key.ts).
export type EventInput = {
  type: SecurityEventType
  familyId?: number | null
  // Null when no client is behind it (an ops command).
  clientKey: string | null
  detail?: string
}

/** An event, as a statement for a db.batch; with `fence`, written only if the fence holds then. */
export function recordEventStatement(db: Db, event: EventInput, fence?: SQL) {
  const values = {
    type: event.type,
    familyId: event.familyId ?? null,
    clientKey: event.clientKey,
    detail: event.detail ?? null,
  }
  return insertWhereStatement(db, securityEvents, values, fence)
}

export function deleteOldEventsStatement(db: Db, now: number) {
  return db
    .delete(securityEvents)
    .where(lt(securityEvents.createdAt, now - RETENTION.securityEventsMs))
}

const LISTED = 20

/** The family's last events, newest first (the agents' family page). */
export function listFamilyEventsStatement(db: Db, familyId: number) {
  return db
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.familyId, familyId))
    .orderBy(desc(securityEvents.id))
    .limit(LISTED)
}

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
