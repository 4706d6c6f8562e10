import type { Db } from '../../db/client'
import { runSqlBatch } from '../../db/sql-batch'
import {
  applyStagedStatements,
  compareStaged,
  countStaged,
  emptyStaging,
  FAMILIES_PER_STAGING_CALL,
  stageStatements,
  type ChangedFamily,
  type ImportedFamily,
} from '../records/families-import'
import { FAMILIES_LISTED_PER_MAIL } from './family-number-recovery'

// The commune's export, imported all or nothing (`npm run families:import`), within D1's limits at
// 200 000 families: the rows are loaded into a staging table in calls of 10 000, compared with the
// families there, then applied in one atomic batch. An interrupted import leaves the families as they
// were (its staging rows are emptied by the next import, which can simply be run again). Families are
// created or updated by number; passwords and everything else of a family stay as they are. With
// `closeMissing`, the open families the export no longer lists are closed (docs/data-and-retention.md).
export type { ImportedFamily }

// How many of each kind the plan spells out (the counts are always whole).
const SHOWN = 50

export type ImportPlan = {
  importKey: string
  staged: number
  created: { count: number; first: string[] }
  // Each change in French, for the operator.
  updated: { count: number; first: Array<{ familyNumber: string; changes: string[] }> }
  unchanged: number
  // Open families the export no longer lists: closed with closeMissing.
  leaving: { count: number; first: string[] }
  // Families of the file without an address: no mail can reach them (no temporary password).
  withoutEmail: number
  // Addresses several families would share (parents, a childminder), and those that « Numéro de
  // famille oublié » cannot fully answer once the import is done.
  sharedAddresses: number
  crowdedAddresses: Array<{ email: string; families: number }>
}

/**
 * Loads `incoming` into the staging table and says what applying it would change. Writes nothing to
 * the families: `applyFamiliesImport` does, or `discardFamiliesImport` empties the staging table.
 */
export async function planFamiliesImport(db: Db, incoming: ImportedFamily[]): Promise<ImportPlan> {
  const importKey = crypto.randomUUID()
  await emptyStaging(db)
  for (let start = 0; start < incoming.length; start += FAMILIES_PER_STAGING_CALL) {
    const [first, ...rest] = stageStatements(
      db,
      importKey,
      incoming.slice(start, start + FAMILIES_PER_STAGING_CALL),
    )
    if (first) await db.batch([first, ...rest])
  }
  const compared = await compareStaged(db, importKey, {
    shown: SHOWN,
    crowdedAbove: FAMILIES_LISTED_PER_MAIL,
  })
  return {
    importKey,
    staged: incoming.length,
    created: { count: compared.counts.created, first: compared.created },
    updated: {
      count: compared.counts.changed,
      first: compared.changed.map((family) => ({
        familyNumber: family.familyNumber,
        changes: describeChanges(family),
      })),
    },
    unchanged: compared.counts.unchanged,
    leaving: { count: compared.counts.leaving, first: compared.leaving },
    withoutEmail: compared.counts.withoutEmail,
    sharedAddresses: compared.sharedAddresses,
    crowdedAddresses: compared.addresses,
  }
}

function describeChanges({ before, after }: ChangedFamily): string[] {
  return [
    before.closedAt !== null && 'réouverture (accès fermé par un import précédent)',
    before.lastName !== after.lastName && `nom ${before.lastName} → ${after.lastName}`,
    before.firstName !== after.firstName && `prénom ${before.firstName} → ${after.firstName}`,
    before.email !== after.email &&
      `e-mail ${before.email ?? '(aucun)'} → ${after.email ?? '(aucun)'}`,
  ].filter((change): change is string => Boolean(change))
}

/**
 * Applies a plan in one D1 batch: all of it, or nothing. Nothing either if its staging rows are no
 * longer all there (another import emptied them): `false` then.
 */
export async function applyFamiliesImport(
  db: Db,
  plan: ImportPlan,
  options: { closeMissing: boolean },
  now: number,
): Promise<boolean> {
  // An empty export would close every family with closeMissing: never applied.
  if (plan.staged === 0) return false
  if ((await countStaged(db, plan.importKey)) !== plan.staged) return false
  const statements = applyStagedStatements(
    { importKey: plan.importKey, expected: plan.staged, closeMissing: options.closeMissing },
    now,
  )
  const results = await runSqlBatch(db, statements)
  // The last statement empties the import's staged rows, unfenced: it deletes them all exactly when
  // the fenced ones applied them.
  return results.at(-1)!.meta.changes === plan.staged
}

/** Empties the staging table after a dry run. */
export async function discardFamiliesImport(db: Db): Promise<void> {
  await emptyStaging(db)
}
