import type { Db } from '../../db/client'
import {
  FAMILIES_PER_UPSERT,
  findEveryFamilyForImport,
  upsertFamiliesStatement,
  type ImportedFamily,
} from '../records/families'
import { FAMILIES_LISTED_PER_MAIL, normalizeEmail } from './family-number-recovery'

// The commune's weekly export, imported all or nothing (`npm run families:import`): families are
// created or updated by number; passwords, sessions and everything else of a family stay as they are.
export type { ImportedFamily }

export type ImportPlan = {
  created: ImportedFamily[]
  updated: Array<{ family: ImportedFamily; changes: string[] }>
  unchanged: number
  // Addresses that « Numéro de famille oublié » cannot fully answer once the import is done.
  crowdedAddresses: Array<{ email: string; families: number }>
}

/** What importing `incoming` would create and change (in French, for the operator). */
export async function planFamiliesImport(db: Db, incoming: ImportedFamily[]): Promise<ImportPlan> {
  const rows = await findEveryFamilyForImport(db)
  const existing = new Map(rows.map((row) => [row.familyNumber, row]))
  const plan: ImportPlan = { created: [], updated: [], unchanged: 0, crowdedAddresses: [] }
  for (const family of incoming) {
    const before = existing.get(family.familyNumber)
    if (!before) {
      plan.created.push(family)
      continue
    }
    const changes = [
      before.lastName !== family.lastName && `nom ${before.lastName} → ${family.lastName}`,
      before.firstName !== family.firstName && `prénom ${before.firstName} → ${family.firstName}`,
      before.email !== family.email &&
        `e-mail ${before.email ?? '(aucun)'} → ${family.email ?? '(aucun)'}`,
    ].filter((change): change is string => Boolean(change))
    if (changes.length > 0) plan.updated.push({ family, changes })
    else plan.unchanged++
  }
  const after = new Map(rows.map((row) => [row.familyNumber, row.email]))
  for (const family of incoming) after.set(family.familyNumber, family.email)
  plan.crowdedAddresses = crowdedAddresses([...after.values()])
  return plan
}

/**
 * Addresses shared by more families than a « Numéro de famille oublié » mail lists: those
 * families must call the commune for their number. A warning for the operator, never a refusal.
 */
function crowdedAddresses(emails: Array<string | null>) {
  const counts = new Map<string, number>()
  for (const email of emails) {
    if (email) counts.set(normalizeEmail(email), (counts.get(normalizeEmail(email)) ?? 0) + 1)
  }
  return [...counts]
    .filter(([, count]) => count > FAMILIES_LISTED_PER_MAIL)
    .map(([email, count]) => ({ email, families: count }))
    .sort((a, b) => b.families - a.families || a.email.localeCompare(b.email))
}

/** Writes a plan's creations and changes in one D1 batch: all of them, or none. */
export async function applyFamiliesImport(db: Db, plan: ImportPlan, now: number): Promise<void> {
  const toWrite = [...plan.created, ...plan.updated.map(({ family }) => family)]
  const statements = []
  for (let start = 0; start < toWrite.length; start += FAMILIES_PER_UPSERT) {
    const chunk = toWrite.slice(start, start + FAMILIES_PER_UPSERT)
    statements.push(upsertFamiliesStatement(db, chunk, now))
  }
  const [first, ...rest] = statements
  if (first) await db.batch([first, ...rest])
}
