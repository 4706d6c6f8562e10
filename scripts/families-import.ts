// npm run families:import -- families.csv [--dry-run] [--close-missing [--force]] [--remote] [--env production]
// Creates or updates families by number from the commune's CSV export, with the Worker's own service
// (src/services/flows/families-import.ts): loaded into a staging table within D1's limits, then
// applied in one D1 batch. Passwords are never touched. With --close-missing, the families the export
// no longer lists are closed (nothing deleted). One bad line: everything is reported and nothing is
// imported.
import { readFileSync } from 'node:fs'
import {
  applyFamiliesImport,
  discardFamiliesImport,
  planFamiliesImport,
} from '../src/services/flows/families-import'
import { FAMILIES_LISTED_PER_MAIL } from '../src/services/flows/family-number-recovery'
import { explainFailure, fail, openPlatformOrFail, parseCommandLine, where } from './lib/cli'
import { parseFamiliesCsv } from './lib/families-csv'

const { values, positionals, target } = parseCommandLine({
  'dry-run': { type: 'boolean' },
  'close-missing': { type: 'boolean' },
  force: { type: 'boolean' },
})
const closeMissing = Boolean(values['close-missing'])
const [path] = positionals
if (!path)
  fail(
    'Usage : npm run families:import -- familles.csv [--dry-run] [--close-missing [--force]] [--remote] [--env production]',
    2,
  )

let bytes: Buffer
try {
  bytes = readFileSync(path)
} catch (error) {
  fail(`Fichier illisible : ${path} (${(error as NodeJS.ErrnoException).code ?? 'erreur'})`, 2)
}
// Read as UTF-8 or not at all: French Excel saves « CSV (séparateur : point-virgule) » in
// Windows-1252, whose accented letters would be stored as « Jean-Fran�ois ».
let text: string
try {
  text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
} catch {
  fail(
    `Le fichier n’est pas en UTF-8 : probablement en Windows-1252, l’encodage d’Excel pour ` +
      `« CSV (séparateur : point-virgule) ». Enregistrez-le à nouveau avec Excel, Fichier → ` +
      `Enregistrer sous → « CSV UTF-8 (délimité par des virgules) », ou avec LibreOffice, jeu de ` +
      `caractères « Unicode (UTF-8) ». Rien n’a été importé.`,
  )
}

const { families, errors } = parseFamiliesCsv(text)
if (errors.length > 0) {
  console.error(`${errors.length} ligne(s) en erreur, rien n'a été importé :`)
  for (const { line, reason } of errors) console.error(`  ligne ${line} : ${reason}`)
  process.exit(1)
}

const { db, dispose } = await openPlatformOrFail(target)

/** Applies the plan; a failure now may come after D1 committed the batch: the operator checks. */
async function applyOrFail(plan: Parameters<typeof applyFamiliesImport>[1]) {
  try {
    return await applyFamiliesImport(db, plan, { closeMissing }, Date.now())
  } catch (error) {
    fail(explainFailure(error, target, true))
  }
}
try {
  const plan = await planFamiliesImport(db, families)
  const { created, updated, unchanged, leaving } = plan
  console.log(`${families.length} familles lues dans ${path}, ${where(target)} :`)
  console.log(
    `  ${created.count} à créer, ${updated.count} à mettre à jour, ${unchanged} inchangées, ` +
      `${leaving.count} absentes du fichier` +
      (closeMissing
        ? ' (à fermer : --close-missing)'
        : ' (laissées ouvertes sans --close-missing)'),
  )
  console.log(
    `  ${plan.withoutEmail} famille(s) sans adresse e-mail (aucun mot de passe ne pourra leur être ` +
      `envoyé), ${plan.sharedAddresses} adresse(s) partagée(s) par plusieurs familles`,
  )
  const more = (shown: number, count: number) =>
    count > shown ? [`  … et ${count - shown} autres`] : []
  for (const line of [
    ...created.first.map((number) => `  ${number} : nouvelle famille`),
    ...more(created.first.length, created.count),
    ...updated.first.map(
      ({ familyNumber, changes }) => `  ${familyNumber} : ${changes.join(', ')}`,
    ),
    ...more(updated.first.length, updated.count),
    ...(closeMissing ? leaving.first.map((number) => `  ${number} : accès fermé`) : []),
    ...(closeMissing ? more(leaving.first.length, leaving.count) : []),
  ])
    console.log(line)
  // In full: the operator holds the file anyway, and needs the address to reach those families.
  for (const { email, families: count } of plan.crowdedAddresses) {
    console.log(
      `  Attention : l’adresse ${email} est celle de ${count} familles. « Numéro de famille oublié » ` +
        `n’envoie que les ${FAMILIES_LISTED_PER_MAIL} premiers numéros ; les autres familles devront ` +
        `appeler la mairie. L’import n’est pas bloqué.`,
    )
  }

  // A truncated export (a filter left on in the billing software, a file cut short) would close every
  // family it misses: past a tenth of the families, --close-missing needs --force.
  const open = unchanged + updated.count + leaving.count
  if (
    closeMissing &&
    !values['dry-run'] &&
    !values.force &&
    leaving.count > Math.max(10, open / 10)
  ) {
    await discardFamiliesImport(db)
    fail(
      `--close-missing fermerait ${leaving.count} familles sur ${open} : le fichier est-il complet ? ` +
        `Vérifiez-le (--dry-run), puis relancez avec --force si c’est voulu. Rien n’a été écrit.`,
    )
  }
  if (values['dry-run']) {
    await discardFamiliesImport(db)
    console.log('Simulation (--dry-run) : aucune famille n’a été écrite.')
  } else if (await applyOrFail(plan)) {
    console.log(
      `Import terminé : ${created.count} créées, ${updated.count} mises à jour, ${unchanged} inchangées` +
        (closeMissing ? `, ${leaving.count} fermées.` : '.'),
    )
  } else {
    fail(
      'Un autre import a remplacé celui-ci pendant qu’il se préparait : rien n’a été écrit. Relancez-le.',
    )
  }
} catch (error) {
  fail(explainFailure(error, target))
} finally {
  await dispose()
}
