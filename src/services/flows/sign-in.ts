import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import {
  findFamilyByNumberStatement,
  passwordUnchanged,
  upgradePasswordHashStatement,
  type Family,
} from '../records/families'
import {
  countSignInAttempt,
  forgiveSignInStatements,
  type Limited,
  type SignInClient,
} from '../limits'
import { trustedDeviceId } from '../devices'
import { withHashSlot } from '../hash-gate'
import { hashPassword, verifyPassword } from '../passwords'
import { recordEventStatement } from '../records/security-events'
import { openSession } from './open-session'
import type { SessionKind } from '../records/sessions'
import { findLiveTemporaryPassword, temporaryPasswordOpens } from '../records/temporary-passwords'

export type SignInResult =
  // `family` as the family space shows it right after this sign-in; `deviceToken`, for a password
  // sign-in, the device cookie to set (this browser's id, signed at the current password version).
  | { ok: true; token: string; kind: SessionKind; family: Family; deviceToken: string | null }
  | { ok: false; reason: 'wrong-credentials' }
  // A passkey that was not accepted (unknown, removed, another family's, a spent challenge, a counter
  // that went back, a bad signature): the reason is in the security event only.
  | { ok: false; reason: 'passkey-refused' }
  // A family the commune's import closed (docs/data-and-retention.md), told so only once it proved who
  // it is: its own password or a live temporary password. Nothing was opened.
  | { ok: false; reason: 'closed' }
  // More sign-ins wait for a hash on this isolate than it can serve soon: nothing was done.
  | { ok: false; reason: 'busy' }
  | ({ ok: false; reason: 'limited' } & Limited)

// `previousToken`: the session cookie the browser already had; its session ends (ASVS 5.0 V7.2.4).
// `deviceCookie`: the browser's device cookie, as sent (devices.ts decides whether it is trusted).
type SignInInput = Omit<SignInClient, 'deviceId'> & {
  password: string
  previousToken?: string
  deviceCookie?: string
}

/**
 * Signs a family in with a live temporary password (a restricted session, docs/recovery-flow.md) or with
 * its password (a full session).
 * - A live temporary password signs in whatever the limits: 128 random bits need no throttling, and a
 *   family whose number a stranger keeps locked can always get back in by mail. Its check is one
 *   SHA-256 lookup, no scrypt.
 * - Anything else is counted first (services/limits/); past a limit, no hash is computed.
 * - Unknown number, no password yet and wrong password then cost the same: one scrypt
 *   (OWASP Authentication cheat sheet, "Authentication responses").
 */
export async function signIn(
  db: Db,
  config: Config,
  input: SignInInput,
  now: number,
): Promise<SignInResult> {
  const temporary = await findLiveTemporaryPassword(db, input.familyNumber, input.password, now)
  if (temporary) {
    const { family, temporaryPassword } = temporary
    if (family.closedAt !== null) return { ok: false, reason: 'closed' }
    return openSession(db, config, { ...input, deviceId: null }, family, {
      method: 'temporary_password',
      temporaryPasswordId: temporaryPassword.id,
      opensIf: temporaryPasswordOpens(db, temporaryPassword.id, now),
      now,
    })
  }

  const checked = await checkFamilyPassword(db, config, input, now)
  if (!checked.ok) return checked
  const { family, client, upgrade } = checked
  if (family.closedAt !== null) return { ok: false, reason: 'closed' }
  const version = family.passwordVersion
  return openSession(db, config, client, family, {
    method: 'password',
    opensIf: passwordUnchanged(db, family.id, version),
    // What this attempt counted is forgiven; a hash made with weaker parameters is replaced.
    alsoWrites: (opened) => [
      ...forgiveSignInStatements(db, client, opened),
      ...(upgrade
        ? [
            upgradePasswordHashStatement(
              db,
              { familyId: family.id, version, passwordHash: upgrade },
              opened,
            ),
          ]
        : []),
    ],
    now,
  })
}

/**
 * The family's own password checked as a sign-in checks it (counted first, one scrypt, waiting its
 * turn for a hash): for a sign-in, and for whatever else a password proves (linking FranceConnect).
 */
export async function checkFamilyPassword(db: Db, config: Config, input: SignInInput, now: number) {
  // The count and the hash wait their turn: at most a few hashes at once per isolate (hash-gate.ts).
  const gated = await withHashSlot(config.hashing, () => checkPassword(db, config, input, now))
  if (gated.busy) return { ok: false as const, reason: 'busy' as const }
  return gated.value
}

/**
 * Counts the attempt, then checks the password with one scrypt (and a second one when the stored
 * hash is weaker than today's parameters): the part of a sign-in that holds a hash's memory.
 */
async function checkPassword(db: Db, config: Config, input: SignInInput, now: number) {
  const secret = config.clientKeySecret
  const deviceId = await trustedDeviceId(db, secret, input.deviceCookie, input.familyNumber, now)
  const client = { ...input, deviceId }
  // One round trip: the count, and the family the hash is checked against.
  const counted = await countSignInAttempt(
    db,
    config,
    client,
    now,
    findFamilyByNumberStatement(db, input.familyNumber),
  )
  if (counted.limited) {
    return { ok: false as const, reason: 'limited' as const, ...counted.limited }
  }
  const [family] = counted.alongside
  const check = await verifyPassword(input.password, family?.passwordHash ?? null, config.scrypt)
  if (!family || !check.matches) {
    await db.batch([
      recordEventStatement(db, {
        type: 'sign_in_failed',
        familyId: family?.id,
        clientKey: input.clientKey,
      }),
    ])
    return { ok: false as const, reason: 'wrong-credentials' as const }
  }
  // Parameters raised since this hash was made: upgrade it now that the password is known.
  const upgrade = check.needsRehash ? await hashPassword(input.password, config.scrypt) : null
  return { ok: true as const, family, client, upgrade }
}
