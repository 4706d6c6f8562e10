import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPlatform } from '../scripts/lib/platform'
import { runWrangler } from '../scripts/lib/wrangler'
import {
  applyFamiliesImport,
  planFamiliesImport,
  type ImportedFamily,
} from '../src/services/flows/families-import'

// A commune's export of 20 000 families through the import service on a fresh local D1: created,
// imported again unchanged (the weekly re-import), then with 100 changed. Each time: read, plan, write.
export type ImportTimes = {
  families: number
  firstMs: number
  unchangedMs: number
  hundredChangedMs: number
}

export async function measureImport(count = 20_000): Promise<ImportTimes> {
  const state = mkdtempSync(join(tmpdir(), 'bench-import-'))
  try {
    runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state])
    const export1: ImportedFamily[] = Array.from({ length: count }, (_, index) => ({
      familyNumber: String(600_000_000_000_000 + index),
      lastName: `FAMILLE${index}`,
      firstName: 'Prénom',
      email: `parent${index}@example.org`,
    }))
    const export2 = export1.map((family, index) =>
      index % (count / 100) === 0 ? { ...family, email: `parent${index}@example.net` } : family,
    )
    const { db, dispose } = await openPlatform({ remote: false, persistTo: state })
    try {
      const timed = async (families: ImportedFamily[]) => {
        const start = performance.now()
        await applyFamiliesImport(
          db,
          await planFamiliesImport(db, families),
          { closeMissing: true },
          Date.now(),
        )
        return performance.now() - start
      }
      return {
        families: count,
        firstMs: await timed(export1),
        unchangedMs: await timed(export1),
        hundredChangedMs: await timed(export2),
      }
    } finally {
      await dispose()
    }
  } finally {
    rmSync(state, { recursive: true, force: true })
  }
}
