import type { Db } from '../../db/client'
import {
  blockedNetworks,
  familyLimitsStatement,
  liftFamilyLimitsStatement,
  liftNetworkLimitsStatement,
} from '../limits/agents'
import { count, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { devices } from '../../db/schema'
import type { JournalAction } from '../../paths'
import { forgetDevicesStatement, listDevicesStatement } from '../records/devices'
import { findFamilyByNumber } from '../records/families'
import { searchFamilies } from '../records/family-search'
import {
  familyMailsStatements,
  lastFailures,
  requeueFailedNoticeStatements,
} from '../records/outbox-reads'
import {
  agentActionsStatements,
  familyEventsStatements,
  recordEventStatement,
} from '../records/security-events'
import { listLinksStatement } from '../records/franceconnect'
import { listPasskeysStatement } from '../records/passkeys'
import { countLiveSessionsStatement, endFamilySessionsStatement } from '../records/sessions'
import {
  liveTemporaryPasswordOfFamilyStatement,
  voidTemporaryPasswordsStatement,
} from '../records/temporary-passwords'

// What the agents' console reads and does (docs/agents-console.md). Every action is a security event
// that names the agent, the action and its outcome, written in the action's own batch: the journal
// (/agents/journal) cannot miss one. No body of a mail is ever read here.
export { blockedNetworks, lastFailures, searchFamilies }

/** Who acts: the agent's e-mail, as Cloudflare Access gave it. */
export type ActingAgent = { agent: string }

/** The family and its ways in, and one page each of its mails and events. */
export async function familyOverview(
  db: Db,
  familyNumber: string,
  now: number,
  pages: { mails: number; events: number } = { mails: 1, events: 1 },
) {
  const family = await findFamilyByNumber(db, familyNumber)
  if (!family) return null
  const limits = familyLimitsStatement(db, familyNumber, now)
  const [mails, mailsCount] = familyMailsStatements(db, family.id, pages.mails)
  const [events, eventsCount] = familyEventsStatements(db, family.id, pages.events)
  const [live, blocking, mailRows, [mailTotal], eventRows, [eventTotal], ...rest] = await db.batch([
    countLiveSessionsStatement(db, family.id, now),
    limits.statement,
    mails,
    mailsCount,
    events,
    eventsCount,
    listDevicesStatement(db, family.id),
    listPasskeysStatement(db, family.id),
    listLinksStatement(db, family.id),
    liveTemporaryPasswordOfFamilyStatement(db, family.id, now),
  ])
  const [deviceRows, passkeys, franceConnectLinks, temporary] = rest
  return {
    family,
    liveSessions: live[0]?.count ?? 0,
    limits: limits.describe(blocking),
    mails: { rows: mailRows, total: mailTotal?.total ?? 0, page: pages.mails },
    events: { rows: eventRows, total: eventTotal?.total ?? 0, page: pages.events },
    devices: deviceRows,
    passkeys,
    franceConnectLinks,
    temporaryPassword: temporary[0] ?? null,
  }
}
export type FamilyOverview = NonNullable<Awaited<ReturnType<typeof familyOverview>>>

/** The journal: one page of agents' actions, by one agent or on one family if asked. */
export async function agentJournal(
  db: Db,
  filter: { agent?: string; familyId?: number },
  page: number,
) {
  const [rows, [counted], agents] = await db.batch(agentActionsStatements(db, filter, page))
  return {
    rows,
    total: counted?.total ?? 0,
    page,
    agents: agents.flatMap(({ agent }) => (agent ? [agent] : [])),
  }
}

/** An agent's action on a family, as a statement of its batch; `outcome` says what it did. */
function agentEvent(
  db: Db,
  input: {
    familyId: number | null
    action: JournalAction
    outcome: string | SQL
    clientKey?: string
  },
  { agent }: ActingAgent,
  fence?: SQL,
) {
  return recordEventStatement(
    db,
    {
      type: 'agent_action',
      familyId: input.familyId,
      clientKey: input.clientKey ?? null,
      agent,
      action: input.action,
      detail: input.outcome,
    },
    fence,
  )
}

/** Records an action that changed nothing (refused, or its target gone), with why. */
export async function recordAgentOutcome(
  db: Db,
  input: { familyId: number; action: JournalAction; outcome: string },
  by: ActingAgent,
) {
  await agentEvent(db, input, by)
}

// An outcome the batch reads itself, in words: its statements run in order in one transaction, so a
// count placed before the statement that removes the rows sees them all, and nothing else meanwhile.
const countedOutcome = (rows: SQLWrapper, words: string) => sql`${rows} || ${` ${words}`}`

/**
 * Ends every session of the family and voids its live temporary password: an intruder holding that
 * password would otherwise be back in one request. Returns how many live sessions it ended and
 * whether a live temporary password went with them.
 */
export async function endFamilySessions(db: Db, familyId: number, by: ActingAgent, now: number) {
  const live = countLiveSessionsStatement(db, familyId, now)
  const temporary = liveTemporaryPasswordOfFamilyStatement(db, familyId, now)
  const outcome = sql`${countedOutcome(live, 'session(s) fermée(s)')} || case when exists ${temporary}
    then ' ; mot de passe temporaire annulé' else '' end`
  const [[counted], voided] = await db.batch([
    live,
    temporary,
    agentEvent(db, { familyId, action: 'endSessions', outcome }, by),
    endFamilySessionsStatement(db, familyId),
    voidTemporaryPasswordsStatement(db, familyId),
  ])
  return { ended: counted?.count ?? 0, temporaryPasswordVoided: voided.length > 0 }
}

/** Voids the family's live temporary password (its restricted sessions end with it); false if none. */
export async function voidFamilyTemporaryPassword(
  db: Db,
  familyId: number,
  by: ActingAgent,
  now: number,
) {
  const temporary = liveTemporaryPasswordOfFamilyStatement(db, familyId, now)
  const outcome = sql`case when exists ${temporary} then 'annulé' else 'aucun en cours' end`
  const [live] = await db.batch([
    temporary,
    agentEvent(db, { familyId, action: 'voidTemporaryPassword', outcome }, by),
    voidTemporaryPasswordsStatement(db, familyId),
  ])
  return live.length > 0
}

/** Forgets the family's devices: their cookies count as unknown clients from now on. */
export async function forgetFamilyDevices(db: Db, familyId: number, by: ActingAgent) {
  const outcome = countedOutcome(
    db.select({ count: count() }).from(devices).where(eq(devices.familyId, familyId)),
    'appareil(s) oublié(s)',
  )
  const [, forgotten] = await db.batch([
    agentEvent(db, { familyId, action: 'forgetDevices', outcome }, by),
    forgetDevicesStatement(db, familyId),
  ])
  return forgotten.length
}

export async function liftFamilyLimits(
  db: Db,
  family: { id: number; familyNumber: string },
  by: ActingAgent,
) {
  await db.batch([
    liftFamilyLimitsStatement(db, family.familyNumber),
    agentEvent(db, { familyId: family.id, action: 'liftLimits', outcome: 'limites levées' }, by),
  ])
}

/** Queues again a "password changed" notice that failed; false if there is none such. */
export async function requeueFailedNotice(
  db: Db,
  input: { familyId: number; mailId: number },
  by: ActingAgent,
  now: number,
) {
  const { requeue, requeued } = requeueFailedNoticeStatements(db, input, now)
  const outcome = sql`case when ${requeued} then ${`avis ${input.mailId} remis en file`}
    else ${`avis ${input.mailId} ni en échec ni renvoyable`} end`
  const [done] = await db.batch([
    requeue,
    agentEvent(db, { familyId: input.familyId, action: 'resendNotice', outcome }, by),
  ])
  return done.length === 1
}

/** Lifts a network's per-client limits (sign-in and mail), recorded with the agent's e-mail. */
export async function liftNetworkLimits(db: Db, network: string, by: ActingAgent) {
  await db.batch([
    liftNetworkLimitsStatement(db, network),
    agentEvent(
      db,
      {
        familyId: null,
        clientKey: network,
        action: 'liftNetworkLimits',
        outcome: `limites du réseau ${network.slice(0, 12)} levées`,
      },
      by,
    ),
  ])
}
