import { fenceAnd, fencedBatch, type Fence } from '../../db/fenced-batch'
import { randomHex } from '../crypto'
import { issueDeviceToken } from '../devices'
import { forgiveSignInStatements, type SignInClient } from '../limits'
import { forgetDevicesStatement, rememberDeviceStatements } from '../records/devices'
import {
  familyOpen,
  recordSignInStatement,
  upgradePasswordHashStatement,
  type Family,
} from '../records/families'
import { recordEventStatement } from '../records/security-events'
import {
  createSessionStatement,
  endReplacedSessionsStatements,
  findSessionStatement,
  type SessionKind,
} from '../records/sessions'
import { countTemporarySignInStatement, firstTemporarySignIn } from '../records/temporary-passwords'
import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import type { SignInResult } from './sign-in'

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
export async function openSession(
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
      // An import may close the family between the check and this batch: it ends its sessions, and
      // this one must not open after that.
      opensIf: fenceAnd(options.opensIf, familyOpen(db, family.id)),
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
