// npm run families:import -- families.csv [--dry-run] [--remote] [--env production]
// Creates or updates families by number from the commune's CSV export, with the Worker's own service
// (src/services/families-import.ts), in one D1 batch. Passwords and sessions are never touched. One
// bad line: everything is reported and nothing is imported.
import { readFileSync } from 'node:fs'
import { applyFamiliesImport, planFamiliesImport } from '../src/services/flows/families-import'
import { FAMILIES_LISTED_PER_MAIL } from '../src/services/flows/family-number-recovery'
import { fail, parseCommandLine, where } from './lib/cli'
import { parseFamiliesCsv } from './lib/families-csv'
import { openPlatform } from './lib/platform'

const { values, positionals, target } = parseCommandLine({ 'dry-run': { type: 'boolean' } })
const [path] = positionals
if (!path)
  fail(
    'Usage : npm run families:import -- familles.csv [--dry-run] [--remote] [--env production]',
    2,
  )

let text: string
try {
  text = readFileSync(path, 'utf8')
} catch (error) {
  fail(`Fichier illisible : ${path} (${(error as NodeJS.ErrnoException).code ?? 'erreur'})`, 2)
}

const { families, errors } = parseFamiliesCsv(text)
if (errors.length > 0) {
  console.error(`${errors.length} ligne(s) en erreur, rien n'a été importé :`)
  for (const { line, reason } of errors) console.error(`  ligne ${line} : ${reason}`)
  process.exit(1)
}

const { db, dispose } = await openPlatform(target)
try {
  const plan = await planFamiliesImport(db, families)
  const { created, updated, unchanged } = plan
  console.log(`${families.length} familles lues dans ${path}, ${where(target)} :`)
  console.log(
    `  ${created.length} à créer, ${updated.length} à mettre à jour, ${unchanged} inchangées`,
  )
  for (const { family, changes } of updated)
    console.log(`  ${family.familyNumber} : ${changes.join(', ')}`)
  // In full: the operator holds the file anyway, and needs the address to reach those families.
  for (const { email, families: count } of plan.crowdedAddresses) {
    console.log(
      `  Attention : l’adresse ${email} est celle de ${count} familles. « Numéro de famille oublié » ` +
        `n’envoie que les ${FAMILIES_LISTED_PER_MAIL} premiers numéros ; les autres familles devront ` +
        `appeler la mairie. L’import n’est pas bloqué.`,
    )
  }

  if (values['dry-run']) {
    console.log('Simulation (--dry-run) : rien n’a été écrit.')
  } else {
    await applyFamiliesImport(db, plan, Date.now())
    console.log(
      `Import terminé : ${created.length} créées, ${updated.length} mises à jour, ${unchanged} inchangées.`,
    )
  }
} finally {
  await dispose()
}
