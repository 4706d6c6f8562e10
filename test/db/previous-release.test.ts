/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest'
import { testEnv } from '../support/helpers'

// A code rollback (`wrangler rollback`, OPERATIONS.md) runs the previous release on today's schema,
// since migrations are applied before a deployment and never undone. So migrations are additive: the
// previous release's schema (drizzle's snapshot of the migration before the last) must still be
// readable and writable on the real local D1, with every migration applied.
type Snapshot = {
  tables: Record<string, { name: string; columns: Record<string, { name: string }> }>
}
const snapshots = import.meta.glob<Snapshot>('../../migrations/meta/*_snapshot.json', {
  eager: true,
  import: 'default',
})
const ordered = Object.keys(snapshots).sort()
const previous = snapshots[ordered[ordered.length - 2]!]!

type Column = { name: string; notnull: number; dflt_value: string | null; pk: number }

describe("the previous release's schema on today's database", () => {
  it('keeps every table and column the previous release reads', async () => {
    for (const table of Object.values(previous.tables)) {
      const columns = Object.values(table.columns).map((column) => `"${column.name}"`)
      // Preparing and running the select proves the table and each column are there.
      const select = `select ${columns.join(', ')} from "${table.name}" limit 0`
      await expect(testEnv.DB.prepare(select).all(), select).resolves.toBeDefined()
    }
  })

  it('lets the previous release insert rows: every column added since is nullable or has a default', async () => {
    for (const table of Object.values(previous.tables)) {
      const { results } = await testEnv.DB.prepare(
        `pragma table_info("${table.name}")`,
      ).all<Column>()
      const added = results.filter((column) => !(column.name in table.columns))
      for (const column of added) {
        const insertable = column.notnull === 0 || column.dflt_value !== null || column.pk === 1
        expect(insertable, `${table.name}.${column.name}`).toBe(true)
      }
    }
  })
})
