import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../../db/client'
import type { ClientNetwork } from '../client-key'
import { sha256Hex } from '../crypto'
import { logJson } from '../logging'
import {
  countAttemptStatement,
  type CounterLimit,
  type CounterRow,
} from '../records/attempt-counters'
import { recordEventStatement } from '../records/security-events'

// The counting mechanism every named limit shares; the key scheme stays inside this folder.
// (The design of every limit: index.ts.)
export type LimitKind =
  | 'signin-number'
  | 'signin-client'
  | 'signin-device'
  | 'signin-devices'
  | 'mail-subject-client'
  | 'mail-client'
  | 'mail-spacing'
  | 'mail-budget'
  | 'agent-mail'
  | 'log-once'

export type LimitState =
  | { limited: false }
  // `firstRefusal`: this post started the block; the ones after it write no event.
  | { limited: true; retryAfterMs: number; firstRefusal: boolean }

export type Limit = CounterLimit
export const HOUR_MS = 3_600_000

export const limitKey = (kind: LimitKind, ...subjects: string[]) =>
  `${kind}:${sha256Hex(subjects.join('\n'))}`

export function limitState(row: CounterRow | undefined, now: number): LimitState {
  if (!row || row.blockedUntil === null || row.blockedUntil <= now) return { limited: false }
  return { limited: true, retryAfterMs: row.blockedUntil - now, firstRefusal: row.refused === 1 }
}

// `network`: a per-client check, keyed on that client network (its event names the network, so an
// agent can lift it; a solved challenge skips it).
export type Check = { key: string; limit: Limit; detail: string; network?: string }

/**
 * What a limited attempt is told: how long to wait, and whether only per-client limits stopped it
 * (a shared network): then a challenge can be offered instead of the wait.
 */
export type Limited = { retryAfterMs: number; networkOnly: boolean }

/**
 * Counts every check in one round trip, with `alongside` (a read the caller needs anyway) in the same
 * batch; when any is over its limit, records one `limit_reached` event per block (not per post: a
 * flood cannot grow the table) and says how long to wait.
 */
export async function countAll<Alongside = never>(
  db: Db,
  checks: Check[],
  clientKey: string,
  now: number,
  alongside?: BatchItem<'sqlite'> & PromiseLike<Alongside>,
): Promise<{ limited: Limited | null; alongside: Alongside }> {
  const statements = checks.map((check) => countAttemptStatement(db, check.key, check.limit, now))
  const [first, ...rest] = alongside ? [...statements, alongside] : statements
  if (!first) return { limited: null, alongside: undefined as Alongside }
  const results = await db.batch([first, ...rest])
  let retryAfterMs = 0
  let networkOnly = true
  const events = []
  for (const [index, check] of checks.entries()) {
    const state = limitState((results[index] as CounterRow[])[0], now)
    if (!state.limited) continue
    retryAfterMs = Math.max(retryAfterMs, state.retryAfterMs)
    networkOnly &&= check.network !== undefined
    if (state.firstRefusal) {
      logJson('warn', 'limit_reached', { limit: check.detail })
      const event = { type: 'limit_reached' as const, detail: check.detail }
      events.push(recordEventStatement(db, { ...event, clientKey: check.network ?? clientKey }))
    }
  }
  const [event, ...more] = events
  if (event) await db.batch([event, ...more])
  return {
    limited: retryAfterMs === 0 ? null : { retryAfterMs, networkOnly },
    alongside: results[checks.length] as Alongside,
  }
}

export const limitedOnly = async (counted: Promise<{ limited: Limited | null }>) =>
  (await counted).limited

/** One check per network the client belongs to, each with its cap scaled (client-key.ts). */
export function perNetwork(
  kind: LimitKind,
  networks: ClientNetwork[],
  limit: Limit,
  detail: string,
  ...subjects: string[]
): Check[] {
  // A per-client block does not escalate: many families may share the network, and a challenge or
  // the window's end lets them through.
  return networks.map((network) => ({
    key: limitKey(kind, ...subjects, network.key),
    limit: { ...limit, max: limit.max * network.scale, escalates: false },
    detail: network.scale === 1 ? detail : `${detail} (network x${network.scale})`,
    network: network.key,
  }))
}

/** "réessayez dans N minutes", never less than one minute. */
export function retryAfterMinutes(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000))
}
