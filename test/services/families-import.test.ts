import { eq, isNull, like } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createDb } from '../../src/db/client'
import { families, familiesImport, outbox, sessions, temporaryPasswords } from '../../src/db/schema'
import {
  applyFamiliesImport,
  planFamiliesImport,
  type ImportedFamily,
} from '../../src/services/flows/families-import'
import { instrumentD1 } from '../support/d1-double'
import { db, queueNotice, testEnv } from '../support/helpers'
import { signedInFamily } from '../support/signed-in'

// The import is all or nothing, and stays within D1's limits (every db here is guarded,
// db/d1-limits.ts) at the sizes a commune has. Tests in this file share one D1: each uses its own
// prefix of family numbers, and a --close-missing import closes the other tests' families too.
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

const importAll = async (incoming: ImportedFamily[], closeMissing = false) =>
  applyFamiliesImport(db, await planFamiliesImport(db, incoming), { closeMissing }, Date.now())

describe('importing families', () => {
  it('writes nothing at all when D1 fails at any statement of the applying batch', async () => {
    const incoming = commune('71', 100)
    // The count of staged rows (statement 1), then the batch: for changed addresses withdraw the mails
    // and void the temporary passwords, update, insert, close's three, empty.
    for (const failAt of [2, 5, 9]) {
      const double = instrumentD1(testEnv.DB, { failAt })
      const faulty = createDb(double.db, 'each call')
      const plan = await planFamiliesImport(db, incoming)
      await expect(
        applyFamiliesImport(faulty, plan, { closeMissing: true }, Date.now()),
      ).rejects.toThrow(/D1_ERROR/)
      expect(double.statements).toHaveLength(9)
      expect(await imported('71'), `failure at statement ${failAt}`).toHaveLength(0)
    }
    await importAll(incoming)
    expect(await imported('71')).toHaveLength(100)
  })

  it('leaves the families as they were when interrupted while loading, and can simply run again', async () => {
    const before = commune('74', 20_000)
    await importAll(before)
    const changed = before.map((family) => ({ ...family, firstName: 'Autre' }))
    // 20 000 families load in two calls of 10 000: the second fails.
    const double = instrumentD1(testEnv.DB, { failAt: 2 + 500 + 1 })
    await expect(planFamiliesImport(createDb(double.db, 'each call'), changed)).rejects.toThrow(
      /D1_ERROR/,
    )
    const rows = await imported('74')
    expect(rows).toHaveLength(20_000)
    expect(rows.every((family) => family.firstName === 'Prénom')).toBe(true)

    expect(await importAll(changed)).toBe(true)
    expect((await imported('74')).every((family) => family.firstName === 'Autre')).toBe(true)
    expect(await db.select().from(familiesImport)).toHaveLength(0)
  })

  it('applies nothing, and says so, when its staged rows are gone or the export is empty', async () => {
    const plan = await planFamiliesImport(db, commune('78', 3))
    // Another import (or a dry run) emptied the staging table meanwhile.
    await db.delete(familiesImport)
    expect(await applyFamiliesImport(db, plan, { closeMissing: true }, Date.now())).toBe(false)
    expect(await imported('78')).toHaveLength(0)
    const empty = await planFamiliesImport(db, [])
    expect(await applyFamiliesImport(db, empty, { closeMissing: true }, Date.now())).toBe(false)
    const [open] = await db.select().from(families).where(isNull(families.closedAt)).limit(1)
    expect(open).toBeDefined()
  })

  it('plans creations, changes in French, unchanged and leaving families', async () => {
    const first = commune('72', 3)
    await importAll(first)
    const next = [{ ...first[0]!, email: null }, first[1]!, ...commune('73', 1)]
    const plan = await planFamiliesImport(db, next)
    expect(plan.created).toEqual({ count: 1, first: [next[2]!.familyNumber] })
    expect(plan.updated).toEqual({
      count: 1,
      first: [
        { familyNumber: next[0]!.familyNumber, changes: ['e-mail parent0@example.org → (aucun)'] },
      ],
    })
    expect(plan.unchanged).toBe(1)
    // Every open family of this shared database that the file does not list, 72…2 among them.
    expect(plan.leaving.count).toBeGreaterThanOrEqual(1)
    expect(await imported('73')).toHaveLength(0)
  })

  it('closes the families missing from the export with --close-missing, ends their sessions, and reopens them later', async () => {
    const { family, token } = await signedInFamily({ familyNumber: '700000000000001' })
    expect(token).toBeTruthy()
    const staying = commune('76', 2)

    const plan = await planFamiliesImport(db, staying)
    expect(plan.leaving.first).toContain(family.familyNumber)
    await applyFamiliesImport(db, plan, { closeMissing: false }, Date.now())
    expect((await imported('70'))[0]!.closedAt).toBeNull()

    await queueNotice(family)
    const closedAt = Date.now()
    await applyFamiliesImport(
      db,
      await planFamiliesImport(db, staying),
      { closeMissing: true },
      closedAt,
    )
    const [closed] = await imported('70')
    expect(closed!.closedAt).toBe(closedAt)
    expect(closed!.lastName).toBe(family.lastName)
    expect(await db.select().from(sessions).where(eq(sessions.familyId, family.id))).toHaveLength(0)
    const [withdrawn] = await db.select().from(outbox).where(eq(outbox.familyId, family.id))
    expect(withdrawn!.status).toBe('expired')
    expect(withdrawn!.lastError).toBe('family closed by the import')

    const back = {
      familyNumber: family.familyNumber,
      lastName: family.lastName,
      firstName: family.firstName,
      email: family.email,
    }
    const reopening = await planFamiliesImport(db, [...staying, back])
    expect(reopening.updated.first).toEqual([
      {
        familyNumber: family.familyNumber,
        changes: ['réouverture (accès fermé par un import précédent)'],
      },
    ])
    await applyFamiliesImport(db, reopening, { closeMissing: true }, Date.now())
    expect((await imported('70'))[0]!.closedAt).toBeNull()
  })

  it("withdraws a family's waiting mails and voids its temporary passwords when the import changes its address", async () => {
    const [before] = commune('77', 1)
    await importAll([before!])
    const [family] = await imported('77')
    const now = Date.now()
    await queueNotice(family!)
    await db.insert(temporaryPasswords).values({
      familyId: family!.id,
      secretHash: `old-address-${now}`,
      expiresAt: now + 3_600_000,
    })
    await importAll([{ ...before!, email: 'nouvelle@example.org' }])
    expect(
      await db.select().from(temporaryPasswords).where(eq(temporaryPasswords.familyId, family!.id)),
    ).toHaveLength(0)
    const [mail] = await db.select().from(outbox).where(eq(outbox.familyId, family!.id))
    expect(mail!.status).toBe('expired')
    expect(mail!.lastError).toBe('address changed by the import')
    expect(mail!.text).toBeNull()
  })
})
