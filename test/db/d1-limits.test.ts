import { describe, expect, it } from 'vitest'
import { D1_LIMITS, D1LimitError, withD1Limits } from '../../src/db/d1-limits'
import { testEnv } from '../support/helpers'

// What production's D1 refuses is refused locally, before D1 sees it, by an error that names the limit
// (docs/limits.md, « Les limites de D1 »). The local D1 itself refuses a long statement or too many
// parameters, with SQLite's words; it does not count the queries of an invocation at all.
const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ')
const values = (count: number) => Array.from({ length: count }, (_, index) => index)

describe("D1's limits, refused locally", () => {
  it('refuses a statement with more than 100 bound parameters', async () => {
    const sql = `select ${placeholders(101)}`
    const guarded = withD1Limits(testEnv.DB)
    expect(() => guarded.prepare(sql).bind(...values(101))).toThrow(
      /101 paramètres liés dans une requête \(au plus 100\)/,
    )
    const [row] = await guarded
      .prepare(`select ${placeholders(100)}`)
      .bind(...values(100))
      .raw()
    expect(row).toHaveLength(D1_LIMITS.boundParametersPerStatement)
  })

  it('refuses a statement longer than 100 000 bytes', async () => {
    // 'é' is two bytes: the limit counts bytes, not characters.
    const sql = `select '${'é'.repeat(50_000)}' as long`
    const shorter = `select '${'é'.repeat(49_000)}' as long`
    expect(await withD1Limits(testEnv.DB).prepare(shorter).first('long')).toHaveLength(49_000)

    expect(() => withD1Limits(testEnv.DB).prepare(sql)).toThrow(
      /une requête de 100\s\d{3} octets \(au plus 100\s000\)/,
    )
  })

  it('refuses the 1 001st query of one invocation, counting each statement of a batch', async () => {
    await testEnv.DB.prepare('create table if not exists limit_probe (n integer)').run()
    // The local D1 alone runs them all.
    const alone = Array.from({ length: 1_001 }, () => testEnv.DB.prepare('select 1'))
    expect(await testEnv.DB.batch(alone)).toHaveLength(1_001)
    const guarded = withD1Limits(testEnv.DB)
    const inserts = (count: number) =>
      Array.from({ length: count }, (_, n) =>
        guarded.prepare('insert into limit_probe values (?)').bind(n),
      )
    await guarded.batch(inserts(999))
    await guarded.prepare('select 1').first()
    // The 1 001st, alone or in a batch: refused before D1 sees it, so nothing of the batch is written.
    expect(() => guarded.prepare('select 1').first()).toThrow(
      /1\s001 requêtes dans une invocation du Worker \(au plus 1\s000\)/,
    )
    const fresh = withD1Limits(testEnv.DB)
    expect(() => fresh.batch(inserts(1_001))).toThrow(D1LimitError)
    expect(await testEnv.DB.prepare('select count(*) as n from limit_probe').first('n')).toBe(999)
  })

  it('counts each call as an invocation of its own for the ops commands', async () => {
    const perCall = withD1Limits(testEnv.DB, 'each call')
    for (let call = 0; call < 3; call++) {
      await perCall.batch(Array.from({ length: 1_000 }, () => perCall.prepare('select 1')))
    }
    expect(() =>
      perCall.batch(Array.from({ length: 1_001 }, () => perCall.prepare('select 1'))),
    ).toThrow(D1LimitError)
  })
})
