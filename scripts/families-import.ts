// npm run families:import -- families.csv [--dry-run] [--remote] [--env production]
// Creates or updates families by number from the commune's CSV export. Passwords and sessions are
// never touched. One bad line: everything is reported and nothing is imported.
import { readFileSync } from 'node:fs'
import { fail, parseCommandLine, where } from './lib/cli'
import { parseFamiliesCsv, type ImportedFamily } from './lib/families-csv'
import { execute, query, sqlText } from './lib/wrangler'

type Existing = {
  family_number: string
  last_name: string
  first_name: string
  email: string | null
}

const ROWS_PER_STATEMENT = 200

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

const existing = new Map(
  query<Existing>(target, 'select family_number, last_name, first_name, email from families').map(
    (row) => [row.family_number, row],
  ),
)
const created: ImportedFamily[] = []
const updated: Array<{ family: ImportedFamily; changes: string[] }> = []
for (const family of families) {
  const before = existing.get(family.familyNumber)
  if (!before) {
    created.push(family)
    continue
  }
  const changes = [
    before.last_name !== family.lastName && `nom ${before.last_name} → ${family.lastName}`,
    before.first_name !== family.firstName && `prénom ${before.first_name} → ${family.firstName}`,
    before.email !== family.email &&
      `e-mail ${before.email ?? '(aucun)'} → ${family.email ?? '(aucun)'}`,
  ].filter((change): change is string => Boolean(change))
  if (changes.length > 0) updated.push({ family, changes })
}
const unchanged = families.length - created.length - updated.length

console.log(`${families.length} familles lues dans ${path}, ${where(target)} :`)
console.log(
  `  ${created.length} à créer, ${updated.length} à mettre à jour, ${unchanged} inchangées`,
)
for (const { family, changes } of updated)
  console.log(`  ${family.familyNumber} : ${changes.join(', ')}`)

if (values['dry-run']) {
  console.log('Simulation (--dry-run) : rien n’a été écrit.')
  process.exit(0)
}

const toWrite = [...created, ...updated.map(({ family }) => family)]
const now = Date.now()
const statements: string[] = []
for (let start = 0; start < toWrite.length; start += ROWS_PER_STATEMENT) {
  const rows = toWrite
    .slice(start, start + ROWS_PER_STATEMENT)
    .map(
      (f) =>
        `(${sqlText(f.familyNumber)}, ${sqlText(f.lastName)}, ${sqlText(f.firstName)}, ${sqlText(f.email)}, ${now})`,
    )
  // Passwords, sessions and everything else of an existing family stay as they are.
  statements.push(
    `INSERT INTO families (family_number, last_name, first_name, email, updated_at) VALUES ${rows.join(', ')}
     ON CONFLICT (family_number) DO UPDATE SET last_name = excluded.last_name,
       first_name = excluded.first_name, email = excluded.email, updated_at = excluded.updated_at`,
  )
}
if (statements.length > 0) execute(target, statements)
console.log(
  `Import terminé : ${created.length} créées, ${updated.length} mises à jour, ${unchanged} inchangées.`,
)
