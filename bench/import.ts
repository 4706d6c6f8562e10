import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { openPlatform } from '../scripts/lib/platform'
import { runWrangler } from '../scripts/lib/wrangler'
import { createDb } from '../src/db/client'
import { families } from '../src/db/schema'
import {
  applyFamiliesImport,
  planFamiliesImport,
  type ImportedFamily,
} from '../src/services/flows/families-import'
import { instrumentD1 } from '../test/support/d1-double'

// A commune's export through the import service on a fresh local D1, under D1's limits (the ops
// commands' binding is guarded, db/d1-limits.ts): created, imported again unchanged (the weekly
// re-import), then with 2 % changed; then an import that fails in the middle of its loading (a D1
// error injected at the middle call), which must leave every family as it was, and the same import
// run again. Each time: load, compare, apply.
export type ImportTimes = {
  families: number
  firstMs: number
  unchangedMs: number
  changedMs: number
  changed: number
  interrupted: { ms: number; familiesUntouched: boolean }
  rerunMs: number
  rerunApplied: boolean
}

export async function measureImport(count = 200_000): Promise<ImportTimes> {
  const state = mkdtempSync(join(tmpdir(), 'bench-import-'))
  try {
    runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state])
    const first: ImportedFamily[] = Array.from({ length: count }, (_, index) => ({
      familyNumber: String(600_000_000_000_000 + index),
      lastName: `FAMILLE${index}`,
      firstName: 'Prénom',
      email: `parent${index}@example.org`,
    }))
    const changed = first.map((family, index) =>
      index % 50 === 0 ? { ...family, email: `parent${index}@example.net` } : family,
    )
    const renamed = changed.map((family) => ({ ...family, firstName: 'Autre' }))
    const platform = await openPlatform({ remote: false, persistTo: state })
    const { db } = platform
    const timed = async (incoming: ImportedFamily[], on = db) => {
      const start = performance.now()
      await applyFamiliesImport(
        on,
        await planFamiliesImport(on, incoming),
        { closeMissing: true },
        Date.now(),
      )
      return performance.now() - start
    }
    const renamedCount = async () => {
      const [row] = await db
        .select({ n: sql<number>`count(*)` })
        .from(families)
        .where(sql`${families.firstName} = 'Autre'`)
      return row!.n
    }
    try {
      const firstMs = await timed(first)
      const unchangedMs = await timed(first)
      const changedMs = await timed(changed)

      // The statements before the middle staging call: the emptying, then 500 a call.
      const calls = Math.ceil(count / 10_000)
      const failAt = 1 + 500 * Math.floor(calls / 2) + 1
      const faulty = instrumentD1(platform.d1, { failAt })
      const start = performance.now()
      const failed = await timed(renamed, createDb(faulty.db, 'each call')).then(
        () => false,
        () => true,
      )
      const interrupted = {
        ms: performance.now() - start,
        familiesUntouched: failed && (await renamedCount()) === 0,
      }
      const rerunMs = await timed(renamed)
      return {
        families: count,
        firstMs,
        unchangedMs,
        changedMs,
        changed: count / 50,
        interrupted,
        rerunMs,
        rerunApplied: (await renamedCount()) === count,
      }
    } finally {
      await platform.dispose()
    }
  } finally {
    rmSync(state, { recursive: true, force: true })
  }
}
