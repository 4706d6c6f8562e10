import { describe, expect, it } from 'vitest'
import { clientNetwork } from '../../src/services/client-key'
import {
  countAttemptStatement,
  type CounterLimit as Limit,
} from '../../src/services/records/attempt-counters'
import { db } from '../support/helpers'

const MINUTE = 60_000
const limit: Limit = { max: 5, windowMs: 15 * MINUTE, escalates: true }

/** Posts `count` attempts on `key` at `at` and says whether the last was refused, and until when. */
async function attempts(key: string, count: number, at: number) {
  let row
  for (let i = 0; i < count; i++) [row] = await countAttemptStatement(db, key, limit, at)
  const blocked = row!.blockedUntil !== null && row!.blockedUntil > at
  return { blocked, minutes: blocked ? Math.round((row!.blockedUntil! - at) / MINUTE) : 0 }
}

describe('slow down, do not lock: each block lasts twice the last', () => {
  it('blocks for the window, then 30, 60, 120 minutes, up to 64 windows', async () => {
    const key = `test:${crypto.randomUUID()}`
    let now = Date.parse('2026-11-30T08:00:00Z')
    expect(await attempts(key, 5, now)).toEqual({ blocked: false, minutes: 0 })
    expect(await attempts(key, 1, now)).toEqual({ blocked: true, minutes: 15 })
    const seen = []
    for (let round = 0; round < 8; round++) {
      const { minutes } = await attempts(key, 1, now)
      now += minutes * MINUTE + 1
      expect((await attempts(key, 5, now)).blocked).toBe(false)
      seen.push((await attempts(key, 1, now)).minutes)
    }
    expect(seen).toEqual([30, 60, 120, 240, 480, 960, 960, 960])
  })

  it('forgets the strikes of a key that stayed out of trouble for a day', async () => {
    const key = `test:${crypto.randomUUID()}`
    let now = Date.parse('2026-11-30T08:00:00Z')
    await attempts(key, 6, now)
    now += 16 * MINUTE
    expect((await attempts(key, 6, now)).minutes).toBe(30)
    now += 25 * 60 * MINUTE
    expect(await attempts(key, 6, now)).toEqual({ blocked: true, minutes: 15 })
  })

  it('does not escalate a flat cap: it ends with its window', async () => {
    const key = `test:${crypto.randomUUID()}`
    const flat: Limit = { max: 2, windowMs: 60 * MINUTE, escalates: false }
    const start = Date.parse('2026-11-30T08:00:00Z')
    for (const at of [start, start + 10 * MINUTE]) await countAttemptStatement(db, key, flat, at)
    const [row] = await countAttemptStatement(db, key, flat, start + 20 * MINUTE)
    expect(row!.blockedUntil).toBe(start + 60 * MINUTE)
  })
})

describe('one client is one network', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s belongs to %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network)
  })
})
