import type { Db } from '../../db/client'
import {
  blockedNetworks,
  familyLimitsStatement,
  liftFamilyLimitsStatement,
  liftNetworkLimitsStatement,
} from '../limits/agents'
import { forgetDevicesStatement, listDevicesStatement } from '../records/devices'
import { findFamilyByNumber } from '../records/families'
import { searchFamilies } from '../records/family-search'
import {
  lastFailures,
  listFamilyMailsStatement,
  requeueFailedNoticeStatements,
} from '../records/outbox-reads'
import { listFamilyEventsStatement, recordEventStatement } from '../records/security-events'
import { listLinksStatement } from '../records/franceconnect'
import { listPasskeysStatement } from '../records/passkeys'
import { countLiveSessionsStatement, endFamilySessionsStatement } from '../records/sessions'
import {
  liveTemporaryPasswordOfFamilyStatement,
  voidTemporaryPasswordsStatement,
} from '../records/temporary-passwords'

// What the agents' console reads and does (docs/agents-console.md). Every action is a security event
// that names the agent; no body of a mail is ever read here.
export { blockedNetworks, lastFailures, searchFamilies }

export async function familyOverview(db: Db, familyNumber: string, now: number) {
  const family = await findFamilyByNumber(db, familyNumber)
  if (!family) return null
  const limits = familyLimitsStatement(db, familyNumber, now)
  const [live, blocking, mails, events, devices, passkeys, franceConnectLinks, temporary] =
    await db.batch([
      countLiveSessionsStatement(db, family.id, now),
      limits.statement,
      listFamilyMailsStatement(db, family.id),
      listFamilyEventsStatement(db, family.id),
      listDevicesStatement(db, family.id),
      listPasskeysStatement(db, family.id),
      listLinksStatement(db, family.id),
      liveTemporaryPasswordOfFamilyStatement(db, family.id, now),
    ])
  return {
    family,
    liveSessions: live[0]?.count ?? 0,
    limits: limits.describe(blocking),
    mails,
    events,
    devices,
    passkeys,
    franceConnectLinks,
    temporaryPassword: temporary[0] ?? null,
  }
}

const agentEvent = (db: Db, familyId: number, agent: string, what: string) =>
  recordEventStatement(db, {
    type: 'agent_action',
    familyId,
    clientKey: null,
    detail: `${what} by agent ${agent}`,
  })

/**
 * Ends every session of the family and voids its live temporary password: an intruder holding that
 * password would otherwise be back in one request.
 */
export async function endFamilySessions(db: Db, familyId: number, agent: string) {
  const [ended] = await db.batch([
    endFamilySessionsStatement(db, familyId),
    voidTemporaryPasswordsStatement(db, familyId),
    agentEvent(db, familyId, agent, 'sessions ended and temporary password voided'),
  ])
  return ended.length
}

/** Voids the family's live temporary password (its restricted sessions end with it). */
export async function voidFamilyTemporaryPassword(db: Db, familyId: number, agent: string) {
  const [voided] = await db.batch([
    voidTemporaryPasswordsStatement(db, familyId),
    agentEvent(db, familyId, agent, 'temporary password voided'),
  ])
  return voided.length > 0
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
    liftFamilyLimitsStatement(db, family.familyNumber),
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
  const { requeue, requeued } = requeueFailedNoticeStatements(db, input, now)
  const event = `notice ${input.mailId} queued again by agent ${agent}`
  const [done] = await db.batch([
    requeue,
    // Only if it was: the row the update just made due.
    recordEventStatement(
      db,
      { type: 'agent_action', familyId: input.familyId, clientKey: null, detail: event },
      requeued,
    ),
  ])
  return done.length === 1
}

/** Lifts a network's per-client limits (sign-in and mail), recorded with the agent's e-mail. */
export async function liftNetworkLimits(db: Db, network: string, agent: string) {
  await db.batch([
    liftNetworkLimitsStatement(db, network),
    recordEventStatement(db, {
      type: 'agent_action',
      clientKey: network,
      detail: `network limits lifted by agent ${agent}`,
    }),
  ])
}
