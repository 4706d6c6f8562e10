import { like } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client'
import { families } from '../../src/db/schema'
import {
  applyFamiliesImport,
  planFamiliesImport,
  type ImportedFamily,
} from '../../src/services/flows/families-import'
import { instrumentD1 } from '../support/d1-double'
import { db, testEnv } from '../support/helpers'

// The import is all or nothing: D1 failing at any statement of its batch leaves no family behind.
const commune = (prefix: string, count: number): ImportedFamily[] =>
  Array.from({ length: count }, (_, index) => ({
    familyNumber: `${prefix}${String(index).padStart(15 - prefix.length, '0')}`,
    lastName: `FAMILLE${index}`,
    firstName: 'Prénom',
    email: `parent${index}@example.org`,
  }))

const imported = (prefix: string) =>
  db
    .select()
    .from(families)
    .where(like(families.familyNumber, `${prefix}%`))

describe('importing families', () => {
  it('writes nothing at all when D1 fails at any statement of the batch', async () => {
    const incoming = commune('71', 100)
    // 100 families are 7 statements of 16 rows: the first, one in the middle, the last.
    for (const failAt of [1, 4, 7]) {
      const double = instrumentD1(testEnv.DB, { failAt })
      const faulty = createDb(double.db)
      const plan = await planFamiliesImport(db, incoming)
      await expect(applyFamiliesImport(faulty, plan, Date.now())).rejects.toThrow(/D1_ERROR/)
      expect(double.statements).toHaveLength(7)
      expect(await imported('71'), `failure at statement ${failAt}`).toHaveLength(0)
    }
    await applyFamiliesImport(db, await planFamiliesImport(db, incoming), Date.now())
    expect(await imported('71')).toHaveLength(100)
  })

  it('plans creations, changes in French, and leaves unchanged families alone', async () => {
    const first = commune('72', 3)
    await applyFamiliesImport(db, await planFamiliesImport(db, first), Date.now())
    const next = [{ ...first[0]!, email: null }, first[1]!, ...commune('73', 1)]
    const plan = await planFamiliesImport(db, next)
    expect(plan.created.map((family) => family.familyNumber)).toEqual([next[2]!.familyNumber])
    expect(plan.updated).toEqual([
      { family: next[0], changes: ['e-mail parent0@example.org → (aucun)'] },
    ])
    expect(plan.unchanged).toBe(1)
  })
})
