import { lt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { insertWhereStatement } from '../../db/conditional'
import { RETENTION } from '../retention'
import { securityEvents, type SecurityEventType } from '../../db/schema'

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
