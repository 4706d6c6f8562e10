import { fenceAnd, fencedBatch, type Fence } from '../../db/fenced-batch'
import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import type { Family } from '../records/families'
import {
  findFamilyByNumberStatement,
  passwordUnchanged,
  recordSignInStatement,
  upgradePasswordHashStatement,
} from '../records/families'
import {
  countSignInAttempt,
  forgiveSignInStatements,
  type Limited,
  type SignInClient,
} from '../limits'
import { randomHex } from '../crypto'
import { issueDeviceToken, trustedDeviceId } from '../devices'
import { forgetDevicesStatement, rememberDeviceStatements } from '../records/devices'
import { hashPassword, verifyPassword } from '../passwords'
import { recordEventStatement } from '../records/security-events'
import {
  createSessionStatement,
  endReplacedSessionsStatements,
  findSessionStatement,
  type SessionKind,
} from '../records/sessions'
import {
  countTemporarySignInStatement,
  findLiveTemporaryPassword,
  firstTemporarySignIn,
  temporaryPasswordOpens,
} from '../records/temporary-passwords'

export type SignInResult =
  // `family` as the family space shows it right after this sign-in; `deviceToken`, for a password
  // sign-in, the device cookie to set (this browser's id, signed at the current password version).
  | { ok: true; token: string; kind: SessionKind; family: Family; deviceToken: string | null }
  | { ok: false; reason: 'wrong-credentials' }
  | ({ ok: false; reason: 'limited' } & Limited)

// `previousToken`: the session cookie the browser already had; its session ends (ASVS 5.0 V7.2.4).
// `deviceCookie`: the browser's device cookie, as sent (devices.ts decides whether it is trusted).
type SignInInput = Omit<SignInClient, 'deviceId'> & {
  password: string
  previousToken?: string
  deviceCookie?: string
}

/**
 * Signs a family in with a live temporary password (a restricted session, PRODUCT.md §3.4) or with
 * its password (a full session).
 * - A live temporary password signs in whatever the limits: 128 random bits need no throttling, and a
 *   family whose number a stranger keeps locked can always get back in by mail. Its check is one
 *   SHA-256 lookup, no scrypt.
 * - Anything else is counted first (limits.ts); past a limit, no hash is computed.
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
    return openSession(db, config, { ...input, deviceId: null }, family, {
      kind: 'restricted',
      temporaryPasswordId: temporaryPassword.id,
      opensIf: temporaryPasswordOpens(db, temporaryPassword.id, now),
      now,
    })
  }

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
    return { ok: false, reason: 'limited', ...counted.limited }
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
    return { ok: false, reason: 'wrong-credentials' }
  }
  // Parameters raised since this hash was made: upgrade it now that the password is known.
  const upgrade = check.needsRehash ? await hashPassword(input.password, config.scrypt) : null
  const verified = passwordUnchanged(db, family.id, family.passwordVersion)
  return openSession(db, config, client, family, { kind: 'full', opensIf: verified, upgrade, now })
}

/**
 * One batch, decided by its first statement: the session is inserted only if what was verified still
 * holds (the password's version, or the temporary password still live and under its sign-ins), and
 * every other write is fenced on that session existing. A password change that ran meanwhile leaves no
 * session behind.
 * - A password sign-in forgives what it counted and remembers this browser as one of the family's
 *   devices (its own id kept, so a browser is one device however often it signs in).
 * - A temporary password counted nothing, so it forgives nothing (a live one would otherwise reset a
 *   network's failures between guesses); its use forgets the family's devices, and its event is
 *   recorded once, at its first sign-in.
 */
async function openSession(
  db: Db,
  config: Config,
  input: SignInClient & { previousToken?: string },
  family: Family,
  options: {
    kind: SessionKind
    opensIf: Fence
    temporaryPasswordId?: number
    upgrade?: string | null
    now: number
  },
): Promise<SignInResult> {
  const { kind, now } = options
  const session = createSessionStatement(
    db,
    {
      familyId: family.id,
      kind,
      temporaryPasswordId: options.temporaryPasswordId ?? null,
      opensIf: options.opensIf,
    },
    config.session,
    now,
  )
  const temporaryPasswordId = options.temporaryPasswordId
  const deviceId = kind === 'full' ? (input.deviceId ?? randomHex(16)) : null
  const event = {
    type: kind === 'full' ? ('sign_in_succeeded' as const) : ('temporary_password_used' as const),
    familyId: family.id,
    clientKey: input.clientKey,
  }
  const { rows: found } = await fencedBatch(db, {
    decide: session.statement,
    fence: session.opened,
    writes: (opened) => [
      recordSignInStatement(db, family, now, opened),
      ...(temporaryPasswordId === undefined
        ? [
            ...forgiveSignInStatements(db, input, opened),
            ...rememberDeviceStatements(
              db,
              { familyId: family.id, deviceId: deviceId!, now },
              opened,
            ),
            recordEventStatement(db, event, opened),
          ]
        : [
            countTemporarySignInStatement(db, temporaryPasswordId, opened),
            forgetDevicesStatement(db, family.id, opened),
            recordEventStatement(
              db,
              event,
              fenceAnd(opened, firstTemporarySignIn(db, temporaryPasswordId)),
            ),
          ]),
      ...endReplacedSessionsStatements(
        db,
        { previousToken: input.previousToken, familyId: family.id, temporaryPasswordId },
        opened,
      ),
      ...(options.upgrade
        ? [
            upgradePasswordHashStatement(
              db,
              {
                familyId: family.id,
                version: family.passwordVersion,
                passwordHash: options.upgrade,
              },
              opened,
            ),
          ]
        : []),
    ],
    readBack: findSessionStatement(db, session.id),
  })
  // The password changed between the check and the batch: as if it had been wrong.
  if (found.length === 0) return { ok: false, reason: 'wrong-credentials' }
  const signedIn = { ...family, previousSignInAt: family.lastSignInAt, lastSignInAt: now }
  const deviceToken = deviceId
    ? issueDeviceToken(config.clientKeySecret, family, now, deviceId)
    : null
  return { ok: true, token: session.token, kind, family: signedIn, deviceToken }
}
