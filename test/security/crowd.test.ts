import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { attemptCounters, securityEvents } from '../../src/db/schema'
import { hashGateState } from '../../src/services/hash-gate'
import { scryptComputations } from '../../src/services/passwords'
import { clientKeyOf, db, post, send, textOf, uniqueFamilyNumber } from '../support/helpers'

// A crowd at opening time: each hash holds 16 MiB of an isolate's 128 MB, so at most K hashes run at
// once per isolate, in arrival order; the others wait without allocating, and past the queue's bound
// a sign-in is told to come back in a minute. Played at the real cost (N=2^14, r=8, p=5, about
// 300 ms a hash here) so a hash is long enough to be seen running.
const REAL_COST = { SCRYPT_LOG_N: '14', SCRYPT_P: '5' }

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    await new Promise((wait) => setTimeout(wait, 2))
  }
}

const wrongSignIn = (env: Record<string, string>, ip = '127.88.0.1') =>
  post('/connexion', { identifier: uniqueFamilyNumber(), password: 'Faux2026x' }, { env, ip })

describe('hashes bounded per isolate', () => {
  it('lets the (K+1)-th sign-in wait, allocating no hash, until one finishes; a page answers meanwhile', async () => {
    const env = { ...REAL_COST, HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '4' }
    const before = scryptComputations()
    let firstDone = false
    const first = wrongSignIn(env).then((answer) => {
      firstDone = true
      return answer
    })
    await until(() => scryptComputations() === before + 1, 'the first hash starts')
    const second = wrongSignIn(env, '127.88.0.2')
    await until(() => hashGateState().waiting === 1, 'the second sign-in waits')
    await new Promise((wait) => setTimeout(wait, 50))
    // Still one hash computed: the waiting sign-in has allocated nothing.
    expect(scryptComputations()).toBe(before + 1)
    // A request that needs no hash is never queued behind one.
    const page = await send('/connexion', { env })
    expect(page.status).toBe(200)
    expect(firstDone).toBe(false)

    expect((await first).status).toBe(422)
    expect((await second).status).toBe(422)
    expect(scryptComputations()).toBe(before + 2)
    expect(hashGateState()).toEqual({ running: 0, waiting: 0 })
  })

  it('answers « Trop de connexions » with Retry-After past the queue, and writes nothing for it', async () => {
    const env = { ...REAL_COST, HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '0' }
    const before = scryptComputations()
    const first = wrongSignIn(env)
    await until(() => scryptComputations() === before + 1, 'the first hash starts')
    const counters = (await db.select().from(attemptCounters)).length

    const ip = '127.88.0.3'
    const busy = await wrongSignIn(env, ip)
    expect(busy.status).toBe(503)
    expect(busy.headers.get('Retry-After')).toBe('60')
    expect(await textOf(busy)).toContain(
      'Trop de connexions en ce moment, réessayez dans une minute.',
    )
    expect((await db.select().from(attemptCounters)).length).toBe(counters)
    const events = await db
      .select()
      .from(securityEvents)
      .where(eq(securityEvents.clientKey, clientKeyOf(ip)))
    expect(events).toEqual([])
    expect(scryptComputations()).toBe(before + 1)
    expect((await first).status).toBe(422)
  })
})
