import type { BatchItem } from 'drizzle-orm/batch'
import { fenceAnd, fencedBatch, type Fence } from '../../db/fenced-batch'
import { randomHex } from '../crypto'
import { issueDeviceToken } from '../devices'
import type { SignInClient } from '../limits'
import { forgetDevicesStatement, rememberDeviceStatements } from '../records/devices'
import { familyOpen, recordSignInStatement, type Family } from '../records/families'
import { recordEventStatement } from '../records/security-events'
import {
  createSessionStatement,
  endReplacedSessionsStatements,
  findSessionStatement,
  type SignInMethod,
} from '../records/sessions'
import { countTemporarySignInStatement, firstTemporarySignIn } from '../records/temporary-passwords'
import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import type { SignInResult } from './sign-in'

/**
 * One batch, decided by its first statement: the session is inserted only if what was verified still
 * holds (the password's version, the temporary password still live and under its sign-ins, the
 * passkey's challenge unspent and its counter moving forward), and every other write is fenced on
 * that session existing. A password change that ran meanwhile leaves no session behind.
 * - A full session (password, passkey) remembers this browser as one of the family's devices (its
 *   own id kept, so a browser is one device however often it signs in); `alsoWrites` adds what the
 *   way in writes itself (forgiving what it counted, a hash upgrade, the passkey's counter).
 * - A temporary password counted nothing, so it forgives nothing (a live one would otherwise reset a
 *   network's failures between guesses); its use forgets the family's devices, and its event is
 *   recorded once, at its first sign-in.
 */
export async function openSession(
  db: Db,
  config: Config,
  input: Pick<SignInClient, 'clientKey' | 'deviceId'> & { previousToken?: string },
  family: Family,
  options: {
    method: SignInMethod
    opensIf: Fence
    temporaryPasswordId?: number
    passkeyId?: string
    alsoWrites?: (opened: Fence) => BatchItem<'sqlite'>[]
    now: number
  },
): Promise<SignInResult> {
  const { method, now } = options
  const session = createSessionStatement(
    db,
    {
      familyId: family.id,
      method,
      temporaryPasswordId: options.temporaryPasswordId ?? null,
      passkeyId: options.passkeyId ?? null,
      // An import may close the family between the check and this batch: it ends its sessions, and
      // this one must not open after that.
      opensIf: fenceAnd(options.opensIf, familyOpen(db, family.id)),
    },
    config.session,
    now,
  )
  const temporaryPasswordId = options.temporaryPasswordId
  const full = temporaryPasswordId === undefined
  const deviceId = full ? (input.deviceId ?? randomHex(16)) : null
  const { rows: found } = await fencedBatch(db, {
    decide: session.statement,
    fence: session.opened,
    writes: (opened) => [
      recordSignInStatement(db, family, now, opened),
      ...(full
        ? [
            ...rememberDeviceStatements(
              db,
              { familyId: family.id, deviceId: deviceId!, now },
              opened,
            ),
            recordEventStatement(
              db,
              {
                type: 'sign_in_succeeded',
                familyId: family.id,
                clientKey: input.clientKey,
                // How, when it was not the password: `passkey`, `franceconnect`.
                detail: method === 'password' ? undefined : method,
              },
              opened,
            ),
          ]
        : [
            countTemporarySignInStatement(db, temporaryPasswordId, opened),
            forgetDevicesStatement(db, family.id, opened),
            recordEventStatement(
              db,
              { type: 'temporary_password_used', familyId: family.id, clientKey: input.clientKey },
              fenceAnd(opened, firstTemporarySignIn(db, temporaryPasswordId)),
            ),
          ]),
      ...endReplacedSessionsStatements(
        db,
        { previousToken: input.previousToken, familyId: family.id, temporaryPasswordId },
        opened,
      ),
      ...(options.alsoWrites?.(opened) ?? []),
    ],
    readBack: findSessionStatement(db, session.id),
  })
  // What was verified changed between the check and the batch: as if it had been wrong.
  if (found.length === 0) return { ok: false, reason: 'wrong-credentials' }
  const signedIn = { ...family, previousSignInAt: family.lastSignInAt, lastSignInAt: now }
  const deviceToken = deviceId
    ? issueDeviceToken(config.clientKeySecret, family, now, deviceId)
    : null
  return {
    ok: true,
    token: session.token,
    kind: full ? 'full' : 'restricted',
    family: signedIn,
    deviceToken,
  }
}
