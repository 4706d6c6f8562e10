// npm run families:send-temporary-password -- <family number> [--remote] [--env production]
// For staff answering a family on the phone: issues a temporary password by the same rules as the
// public flow (random 128 bits, only its hash stored, same expiry, replaces any older one) and puts
// its mail in the same outbox; the cron sends it within a minute. Prints nothing secret.
import { unstable_readConfig } from 'wrangler'
import { parseConfig } from '../src/config'
import { loginUrl } from '../src/services/password-recovery'
import {
  generateTemporaryPassword,
  hashTemporaryPassword,
} from '../src/services/temporary-passwords'
import { maskEmail } from '../src/views/family-space'
import { temporaryPasswordMail } from '../src/views/mails'
import { fail, parseCommandLine, where } from './lib/cli'
import { execute, query, sqlText } from './lib/wrangler'

type FamilyRow = { id: number; last_name: string; first_name: string; email: string | null }

const { positionals, target } = parseCommandLine()
const familyNumber = positionals[0]?.trim() ?? ''
if (!/^\d{15}$/.test(familyNumber)) {
  fail(
    'Usage : npm run families:send-temporary-password -- <numéro de famille à 15 chiffres> [--remote] [--env production]',
    2,
  )
}

const vars = unstable_readConfig({ env: target.env }, { hideWarnings: true }).vars as Record<
  string,
  unknown
>
const parsed = parseConfig({ ...vars, MAIL_API_KEY: 'secret', EMAIL: {} })
if (!parsed.ok) fail(`Configuration invalide :\n  - ${parsed.problems.join('\n  - ')}`)
const { config } = parsed

const [family] = query<FamilyRow>(
  target,
  `select id, last_name, first_name, email from families where family_number = ${sqlText(familyNumber)}`,
)
if (!family) fail(`Aucune famille n°${familyNumber} dans la ${where(target)}.`)
if (!family.email)
  fail(`La famille n°${familyNumber} n'a pas d'adresse e-mail : impossible de lui écrire.`)

const now = Date.now()
const secret = generateTemporaryPassword()
const expiresAt = now + config.temporaryPasswordTtlMs
const mail = await temporaryPasswordMail({
  family: { lastName: family.last_name, firstName: family.first_name, familyNumber },
  temporaryPassword: secret,
  expiresAt,
  ttlMinutes: config.temporaryPasswordTtlMs / 60_000,
  loginUrl: loginUrl(config),
  portalName: config.portalName,
})

execute(target, [
  `DELETE FROM temporary_passwords WHERE family_id = ${family.id}`,
  `INSERT INTO temporary_passwords (family_id, secret_hash, expires_at)
   VALUES (${family.id}, ${sqlText(hashTemporaryPassword(secret))}, ${expiresAt})`,
  `INSERT INTO outbox (family_id, kind, recipient, subject, text, html, idempotency_key, next_attempt_at, expires_at, created_at)
   VALUES (${family.id}, 'temporary_password', ${sqlText(family.email)}, ${sqlText(mail.subject)}, ${sqlText(mail.text)},
     ${sqlText(mail.html)}, ${sqlText(crypto.randomUUID())}, ${now}, ${expiresAt}, ${now})`,
  `INSERT INTO security_events (type, family_id, detail, created_at)
   VALUES ('temporary_password_requested', ${family.id}, 'issued by staff', ${now})`,
])

console.log(
  `Mot de passe temporaire émis pour la famille n°${familyNumber} (${where(target)}) : l'e-mail partira vers ` +
    `${maskEmail(family.email)} au prochain passage du cron (chaque minute). Il est valable ` +
    `${config.temporaryPasswordTtlMs / 60_000} minutes et remplace toute demande précédente.`,
)
