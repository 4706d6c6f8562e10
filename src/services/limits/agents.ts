import type { Db } from '../../db/client'
import { deleteCountersStatement, findBlockingCounters } from '../records/attempt-counters'
import { findRecentLimitEvents } from '../records/security-events'
import { RETENTION } from '../retention'
import { limitKey } from './counter'

// What agents see and lift of the limits (docs/agents-console.md), without knowing their keys.

// A family's own limits: its number for unknown clients, and across its trusted devices.
const FAMILY_LIMITS = [
  { kind: 'signin-number', what: 'connexions depuis des appareils inconnus' },
  { kind: 'signin-devices', what: 'connexions depuis les appareils de confiance' },
] as const

const familyKeys = (familyNumber: string) =>
  FAMILY_LIMITS.map(({ kind, what }) => ({ key: limitKey(kind, familyNumber), what }))

/** The family's limits that block now, as a statement for the family page's batch, and their words. */
export function familyLimitsStatement(db: Db, familyNumber: string, now: number) {
  const keys = familyKeys(familyNumber)
  return {
    statement: findBlockingCounters(
      db,
      keys.map(({ key }) => key),
      now,
    ),
    describe: (rows: Array<{ key: string; blockedUntil: number | null }>) =>
      rows.map((row) => ({
        what: keys.find(({ key }) => key === row.key)?.what ?? '',
        until: row.blockedUntil!,
      })),
  }
}

/** Lifts the family's limits (deletes their counters), as a statement for a db.batch. */
export const liftFamilyLimitsStatement = (db: Db, familyNumber: string) =>
  deleteCountersStatement(
    db,
    familyKeys(familyNumber).map(({ key }) => key),
  )

// The per-client limits an agent can see and lift: a network (the town hall's Wi-Fi, a school) past
// them makes every family there wait or solve a challenge. Their events carry the network's keyed
// hash (counter.ts) and these details.
const NETWORK_LIMITS = ['signin-client', 'mail-client'] as const
const NETWORK_DETAILS = ['sign-in per client%', 'mail per client%']

/**
 * The networks blocked now by a per-client limit, known by the keyed hash their `limit_reached`
 * events carry (never an address), newest event first.
 */
export async function blockedNetworks(db: Db, now: number) {
  const recent = await findRecentLimitEvents(db, NETWORK_DETAILS, now - RETENTION.attemptCountersMs)
  const networks = recent.filter((row): row is typeof row & { network: string } => !!row.network)
  if (networks.length === 0) return []
  const keysOf = (network: string) => NETWORK_LIMITS.map((kind) => limitKey(kind, network))
  const blocked = await findBlockingCounters(
    db,
    networks.flatMap((row) => keysOf(row.network)),
    now,
  )
  return networks.flatMap((row) => {
    const keys = keysOf(row.network)
    const until = Math.max(
      0,
      ...blocked.filter((b) => keys.includes(b.key)).map((b) => b.blockedUntil!),
    )
    return until > now ? [{ network: row.network, detail: row.detail, until }] : []
  })
}

/** Lifts a network's per-client limits (sign-in and mail), as a statement for a db.batch. */
export const liftNetworkLimitsStatement = (db: Db, network: string) =>
  deleteCountersStatement(
    db,
    NETWORK_LIMITS.map((kind) => limitKey(kind, network)),
  )
