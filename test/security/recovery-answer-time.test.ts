import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { instrumentD1 } from '../support/d1-double'
import { createFamily, mailsTo, post, uniqueFamilyNumber } from '../support/helpers'

/**
 * The SQL a recovery request has run when its answer is handed back, and the whole run once its
 * background work has settled. Whatever reads the families or writes mail must come after the answer:
 * otherwise a known number or address costs the answer time that an unknown one does not.
 */
async function answeredThenSettled(path: string, form: Record<string, string>) {
  const { db, statements } = instrumentD1(env.DB)
  const response = await post(path, form, { env: { DB: db }, waitForBackground: false })
  const atAnswer = [...statements]
  await response.settled
  return { status: response.status, atAnswer, all: [...statements] }
}

const RECOVERY_WORK = /families|outbox|temporary_passwords|devices|security_events/i

describe('a recovery answer leaves before any of its lookup or mail work begins', () => {
  it('POST /mot-de-passe-oublie: the same statements before the answer for a known number and an unknown one', async () => {
    const family = await createFamily()
    const known = await answeredThenSettled('/mot-de-passe-oublie', {
      identifier: family.familyNumber,
    })
    const unknown = await answeredThenSettled('/mot-de-passe-oublie', {
      identifier: uniqueFamilyNumber(),
    })
    expect(known.status).toBe(200)
    expect(known.atAnswer.filter((sql) => RECOVERY_WORK.test(sql))).toEqual([])
    expect(known.atAnswer).toEqual(unknown.atAnswer)
    // The work did run, after the answer.
    expect(known.all.some((sql) => /insert into "outbox"/i.test(sql))).toBe(true)
    expect(await mailsTo(family.email!)).toHaveLength(1)
  })

  it('POST /numero-oublie: the same statements before the answer for a known address and an unknown one', async () => {
    const family = await createFamily()
    const known = await answeredThenSettled('/numero-oublie', { email: family.email! })
    const unknown = await answeredThenSettled('/numero-oublie', {
      email: `inconnu-${crypto.randomUUID()}@example.org`,
    })
    expect(known.status).toBe(200)
    expect(known.atAnswer.filter((sql) => RECOVERY_WORK.test(sql))).toEqual([])
    expect(known.atAnswer).toEqual(unknown.atAnswer)
    expect(known.all.some((sql) => /insert into "outbox"/i.test(sql))).toBe(true)
    expect(await mailsTo(family.email!)).toHaveLength(1)
  })
})
