import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import { fencedBatch, type Fence } from '../../db/fenced-batch'
import { passwordChangedMail } from '../mail/templates'
import { randomHex } from '../crypto'
import { issueDeviceToken } from '../devices'
import { forgetDevicesStatement, rememberDeviceStatements } from '../records/devices'
import { passwordSavedAs, setPasswordHashStatement } from '../records/families'
import { deleteFamilyPasskeysStatement } from '../records/passkeys'
import { enqueueMailStatements } from '../records/outbox'
import { RETENTION } from '../retention'
import { loginUrl } from './password-recovery'
import type { PasswordChangeErrors, PasswordChangeForm } from './password-change-form'

export * from './password-change-form'
import { withHashSlot } from '../hash-gate'
import { hashPassword, verifyPassword } from '../passwords'
import { forgiveSignInStatements, type SignInClient } from '../limits'
import { recordEventStatement } from '../records/security-events'
import { invalidateFamilySessionsStatement, type CurrentSession } from '../records/sessions'
import {
  consumeTemporaryPasswordStatement,
  temporaryPasswordLive,
  voidTemporaryPasswordsStatement,
} from '../records/temporary-passwords'

export type PasswordChangeResult =
  // `deviceToken`: this browser's device cookie, signed for the new password.
  | { ok: true; mailId: number | null; deviceToken: string }
  | { ok: false; reason: 'invalid'; errors: PasswordChangeErrors }
  // The temporary password behind a restricted session expired, was used or was replaced meanwhile.
  | { ok: false; reason: 'temporary-password-gone' }
  // The password was changed elsewhere meanwhile: that change ended this session.
  | { ok: false; reason: 'session-gone' }
  // Too many hashes wait on this isolate: nothing was changed.
  | { ok: false; reason: 'busy' }

/**
 * Step 5 and step 6's consequences, for a form `passwordChangeErrors` found valid: checks the current
 * password (full sessions), saves the new one, ends every session of the family (the restricted one
 * too, ASVS 5.0 V7.4.3), clears its failures and queues the "password changed" mail.
 */
export async function changePassword(
  db: Db,
  config: Config,
  current: CurrentSession,
  form: PasswordChangeForm,
  client: SignInClient,
  now: number,
): Promise<PasswordChangeResult> {
  const { session, family } = current
  // The current password's check and the new hash wait their turn like a sign-in's (hash-gate.ts).
  const hashed = await withHashSlot(config.hashing, async () => {
    if (session.kind === 'full') {
      const check = await verifyPassword(form.currentPassword!, family.passwordHash, config.scrypt)
      if (!check.matches) return null
    }
    return hashPassword(form.newPassword, config.scrypt)
  })
  if (hashed.busy) return { ok: false, reason: 'busy' }
  const passwordHash = hashed.value
  if (passwordHash === null) {
    return {
      ok: false,
      reason: 'invalid',
      errors: { current_password: ['Le mot de passe actuel est incorrect.'] },
    }
  }
  const saved = await savePasswordChange(
    db,
    config,
    current,
    { passwordHash, client, removePasskeys: form.removePasskeys ?? false },
    now,
  )
  if (saved.ok || session.kind === 'restricted') return saved
  // A full session whose password changed meanwhile has been ended by that change.
  return { ok: false, reason: 'session-gone' }
}

/**
 * One batch, decided by its first statement: the new hash is saved only if the password verified is
 * still the family's and, for a restricted session, its temporary password is still live. Every other
 * write (consuming the temporary password, ending the sessions, clearing the failures, the event, the
 * notice) is fenced on the new hash being saved, so a spent or replaced temporary password, a lost
 * race or a failed batch changes nothing at all.
 */
async function savePasswordChange(
  db: Db,
  config: Config,
  current: CurrentSession,
  input: { passwordHash: string; client: SignInClient; removePasskeys: boolean },
  now: number,
): Promise<PasswordChangeResult> {
  const { session, family } = current
  const temporaryPasswordId = session.kind === 'restricted' ? session.temporaryPasswordId : null
  const deviceId = input.client.deviceId ?? randomHex(16)
  const deviceToken = issueDeviceToken(
    config.clientKeySecret,
    { familyNumber: family.familyNumber, passwordVersion: family.passwordVersion + 1 },
    now,
    deviceId,
  )
  if (session.kind === 'restricted' && temporaryPasswordId === null) {
    return { ok: false, reason: 'temporary-password-gone' }
  }
  const save = setPasswordHashStatement(
    db,
    {
      familyId: family.id,
      version: family.passwordVersion,
      passwordHash: input.passwordHash,
      condition:
        temporaryPasswordId === null
          ? undefined
          : temporaryPasswordLive(db, temporaryPasswordId, now),
    },
    now,
  )
  const writes = (saved: Fence) => [
    // Single use (docs/recovery-flow.md); a change made by choice voids any live temporary password.
    temporaryPasswordId === null
      ? voidTemporaryPasswordsStatement(db, family.id, saved)
      : consumeTemporaryPasswordStatement(db, temporaryPasswordId, now, saved),
    invalidateFamilySessionsStatement(db, family.id, saved),
    // Their cookies were signed for the old password: they are unknown clients now (devices.ts).
    // This browser proved the mailbox or the current password: it is the family's device from now
    // on, so a number a stranger keeps blocked for unknown clients never holds the family back.
    // (The number's block itself is not ended: that would tell the stranger the family acted.)
    forgetDevicesStatement(db, family.id, saved),
    ...rememberDeviceStatements(db, { familyId: family.id, deviceId, now }, saved),
    recordEventStatement(
      db,
      { type: 'password_changed', familyId: family.id, clientKey: input.client.clientKey },
      saved,
    ),
    // The route counted this attempt like a sign-in (current password asked): it was not a failure.
    ...(session.kind === 'full' ? forgiveSignInStatements(db, input.client, saved) : []),
    // A family shutting someone out shuts out the passkeys they may have made too, if it asks.
    ...(input.removePasskeys ? [deleteFamilyPasskeysStatement(db, family.id, saved)] : []),
  ]
  const decision = { decide: save, fence: passwordSavedAs(db, family.id, input.passwordHash) }
  if (!family.email) {
    const { decided } = await fencedBatch(db, { ...decision, writes })
    return decided.length === 1 ? { ok: true, mailId: null, deviceToken } : gone(session.kind)
  }
  const content = await passwordChangedMail({
    family,
    changedAt: now,
    loginUrl: loginUrl(config),
    portalName: config.portalName,
    contactText: config.contactText,
    passkeysRemoved: input.removePasskeys,
  })
  const notice = enqueueMailStatements(db, {
    familyId: family.id,
    kind: 'password_changed',
    to: family.email,
    content,
    now,
    expiresAt: now + RETENTION.noticeMs,
  })
  const { decided, rows: queued } = await fencedBatch(db, {
    ...decision,
    writes: (saved) => [...writes(saved), notice.enqueue(saved)],
    readBack: notice.queuedId,
  })
  if (decided.length !== 1) return gone(session.kind)
  return { ok: true, mailId: queued[0]?.id ?? null, deviceToken }
}

const gone = (kind: CurrentSession['session']['kind']): PasswordChangeResult =>
  kind === 'restricted'
    ? { ok: false, reason: 'temporary-password-gone' }
    : { ok: false, reason: 'session-gone' }
