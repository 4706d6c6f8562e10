// npm run families:send-temporary-password -- <family number> [--remote] [--env production]
// For staff answering a family on the phone: issues a temporary password with the Worker's own
// service (random 128 bits, only its hash stored, same expiry, replaces any older one) and puts its
// mail in the same outbox; the cron sends it within a minute. Prints nothing secret.
import { FAMILY_NUMBER_LENGTH, isFamilyNumber, normalizeFamilyNumber } from '../src/family-number'
import { findFamilyByNumber } from '../src/services/records/families'
import { issueTemporaryPassword } from '../src/services/flows/password-recovery'
import { maskEmail } from '../src/views/family-space'
import { explainFailure, fail, openPlatformOrFail, parseCommandLine, where } from './lib/cli'

const { positionals, target } = parseCommandLine()
const familyNumber = normalizeFamilyNumber(positionals[0] ?? '')
if (!isFamilyNumber(familyNumber)) {
  fail(
    `Usage : npm run families:send-temporary-password -- <numéro de famille à ${FAMILY_NUMBER_LENGTH} chiffres> [--remote] [--env production]`,
    2,
  )
}

const { db, config, dispose } = await openPlatformOrFail(target)
try {
  const family = await findFamilyByNumber(db, familyNumber)
  if (!family) fail(`Aucune famille n°${familyNumber} dans la ${where(target)}.`)
  const { email } = family
  if (!email)
    fail(`La famille n°${familyNumber} n'a pas d'adresse e-mail : impossible de lui écrire.`)
  if (family.closedAt !== null)
    fail(
      `L'accès de la famille n°${familyNumber} est fermé (absente d'un import avec --close-missing) : ` +
        `rouvrez-le par un import qui la contient.`,
    )
  await issueTemporaryPassword(
    db,
    config,
    { ...family, email },
    { clientKey: null, detail: 'issued by staff' },
    Date.now(),
  )
  console.log(
    `Mot de passe temporaire émis pour la famille n°${familyNumber} (${where(target)}) : l'e-mail partira vers ` +
      `${maskEmail(email)} au prochain passage du cron (chaque minute). Il est valable ` +
      `${config.temporaryPasswordTtlMs / 60_000} minutes et remplace toute demande précédente.`,
  )
} catch (error) {
  fail(explainFailure(error, target))
} finally {
  await dispose()
}
