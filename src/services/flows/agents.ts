import { and, desc, eq, exists, gt, inArray, like, or, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { attemptCounters, families, outbox, securityEvents, sessions } from '../../db/schema'
import { forgetDevicesStatement, listDevicesStatement } from '../records/devices'
import { voidTemporaryPasswordsStatement } from '../records/temporary-passwords'
import { limitKey } from '../limits'
import { RETENTION } from '../retention'
import { recordEventStatement } from '../records/security-events'

// What the agents' console reads and does (PRODUCT.md §11). Every action is a security event that
// names the agent; no body of a mail is ever read here.
const LISTED = 20

// D1 refuses a LIKE pattern over 50 bytes ("LIKE or GLOB pattern too complex": SQLite's
// SQLITE_LIMIT_LIKE_PATTERN_LENGTH, https://www.sqlite.org/limits.html#max_like_pattern_length).
const LIKE_MAX_BYTES = 40
const utf8Length = (text: string) => new TextEncoder().encode(text).length

/** `text` as itself inside a LIKE pattern whose ESCAPE is '\\': %, _ and \\ match literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&')

/** The longest start of `text` whose escaped form fits a LIKE pattern, cut between characters. */
function likeFragment(text: string): string {
  let fragment = ''
  for (const char of text) {
    const next = fragment + escapeLike(char)
    if (utf8Length(next) > LIKE_MAX_BYTES) break
    fragment = next
  }
  return fragment
}

const likeEscaped = (column: SQLiteColumn, pattern: string) =>
  sql`${column} like ${pattern} escape '\\'`

const containsAny = (value: string | null, texts: string[]) =>
  value !== null && texts.some((text) => value.toLowerCase().includes(text.toLowerCase()))

/**
 * Families by number (from its first digits), whole e-mail address, or part of a name or address;
 * 50 at most. A query too long for a LIKE pattern is searched by its start, then kept whole.
 */
export async function searchFamilies(db: Db, query: string) {
  const q = query.trim()
  if (/^\d+$/.test(q)) {
    return db
      .select()
      .from(families)
      .where(likeEscaped(families.familyNumber, `${likeFragment(q)}%`))
      .limit(50)
      .then((rows) => rows.filter((row) => row.familyNumber.startsWith(q)))
  }
  // A whole address through the lower(email) index; SQLite's lower() on both sides folds alike.
  if (q.includes('@')) {
    return db
      .select()
      .from(families)
      .where(sql`lower(${families.email}) = lower(${q})`)
      .orderBy(families.lastName)
      .limit(50)
  }
  // SQLite folds the case of ASCII letters only: "ZÉBULON" is searched as typed, in lower and in
  // upper case.
  const variants = [...new Set([q, q.toLowerCase(), q.toUpperCase()])]
  const patterns = variants.map((v) => `%${likeFragment(v)}%`)
  const columns = [families.lastName, families.firstName, families.email]
  const where = or(...columns.flatMap((column) => patterns.map((p) => likeEscaped(column, p))))
  const rows = await db.select().from(families).where(where).orderBy(families.lastName).limit(50)
  return rows.filter((row) =>
    [row.lastName, row.firstName, row.email].some((value) => containsAny(value, variants)),
  )
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

/**
 * Ends every session of the family and voids its live temporary password: an intruder holding that
 * password would otherwise be back in one request.
 */
export async function endFamilySessions(db: Db, familyId: number, agent: string) {
  const [ended] = await db.batch([
    db.delete(sessions).where(eq(sessions.familyId, familyId)).returning({ id: sessions.id }),
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

// The per-client limits an agent can see and lift: a network (the town hall's Wi-Fi, a school) past
// them makes every family there wait or solve a challenge.
const NETWORK_LIMITS = ['signin-client', 'mail-client'] as const
const NETWORK_DETAILS = ['sign-in per client%', 'mail per client%']

/**
 * The networks blocked now by a per-client limit, known by the keyed hash their `limit_reached`
 * events carry (never an address), with the last event's time, newest first.
 */
export async function blockedNetworks(db: Db, now: number) {
  const recent = await db
    .select({
      network: securityEvents.clientKey,
      detail: sql<string>`max(${securityEvents.detail})`,
      at: sql<number>`max(${securityEvents.createdAt})`,
    })
    .from(securityEvents)
    .where(
      and(
        eq(securityEvents.type, 'limit_reached'),
        gt(securityEvents.createdAt, now - RETENTION.attemptCountersMs),
        or(...NETWORK_DETAILS.map((detail) => like(securityEvents.detail, detail))),
      ),
    )
    .groupBy(securityEvents.clientKey)
    .orderBy(desc(sql`max(${securityEvents.createdAt})`))
    .limit(LISTED)
  const networks = recent.filter((row): row is typeof row & { network: string } => !!row.network)
  if (networks.length === 0) return []
  const blocked = await db
    .select({ key: attemptCounters.key, until: attemptCounters.blockedUntil })
    .from(attemptCounters)
    .where(
      and(
        inArray(
          attemptCounters.key,
          networks.flatMap((row) => NETWORK_LIMITS.map((kind) => limitKey(kind, row.network))),
        ),
        gt(attemptCounters.blockedUntil, now),
      ),
    )
  return networks.flatMap((row) => {
    const keys = NETWORK_LIMITS.map((kind) => limitKey(kind, row.network))
    const until = Math.max(0, ...blocked.filter((b) => keys.includes(b.key)).map((b) => b.until!))
    return until > now ? [{ network: row.network, detail: row.detail, until }] : []
  })
}

/** Lifts a network's per-client limits (sign-in and mail), recorded with the agent's e-mail. */
export async function liftNetworkLimits(db: Db, network: string, agent: string) {
  await db.batch([
    db.delete(attemptCounters).where(
      inArray(
        attemptCounters.key,
        NETWORK_LIMITS.map((kind) => limitKey(kind, network)),
      ),
    ),
    recordEventStatement(db, {
      type: 'agent_action',
      clientKey: network,
      detail: `network limits lifted by agent ${agent}`,
    }),
  ])
}
