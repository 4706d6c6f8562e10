import type { Config } from '../config'
import type { Db } from '../db/client'
import { outbox } from '../db/schema'
import { passwordChangedMail } from '../views/mails'
import { setPasswordHash } from './families'
import { enqueueMailStatement, NOTICE_LIFETIME_MS } from './mail/outbox'
import { isCommonPassword } from './common-passwords'
import { passwordProblems } from './password-policy'
import { loginUrl } from './password-recovery'
import { hashPassword, verifyPassword } from './passwords'
import {
  clearAttemptsStatement,
  forgiveSignInStatements,
  limitKey,
  type SignInClient,
} from './limits'
import { recordEventStatement } from './security-events'
import { invalidateFamilySessions, type CurrentSession } from './sessions'
import { consumeTemporaryPassword, isTemporaryPassword } from './temporary-passwords'

export type PasswordChangeForm = {
  currentPassword?: string
  newPassword: string
  confirmation: string
}

export type PasswordChangeErrors = {
  current_password?: string[]
  new_password?: string[]
  confirmation?: string[]
}

export type PasswordChangeResult =
  | { ok: true; mailId: number | null }
  | { ok: false; reason: 'invalid'; errors: PasswordChangeErrors }
  // The temporary password behind a restricted session expired, was used or was replaced meanwhile.
  | { ok: false; reason: 'temporary-password-gone' }

/** The form's own rules, before any hash is computed. */
export async function passwordChangeErrors(
  db: Db,
  config: Config,
  current: CurrentSession,
  form: PasswordChangeForm,
): Promise<PasswordChangeErrors> {
  const errors: PasswordChangeErrors = {}
  const { session, family } = current
  if (session.kind === 'full' && !form.currentPassword) {
    errors.current_password = ['Saisissez votre mot de passe actuel.']
  }
  const temporaryPasswordId = session.temporaryPasswordId
  const isTemporary =
    temporaryPasswordId === null
      ? false
      : await isTemporaryPassword(db, temporaryPasswordId, form.newPassword)
  const problems = passwordProblems(form.newPassword, {
    minLength: config.passwordMinLength,
    familyNumber: family.familyNumber,
    isTemporaryPassword: () => isTemporary,
    isCommonPassword,
  })
  if (problems.length > 0) errors.new_password = problems
  if (form.confirmation !== form.newPassword) {
    errors.confirmation = ['La confirmation ne correspond pas au nouveau mot de passe.']
  }
  return errors
}

export const hasErrors = (errors: PasswordChangeErrors) => Object.keys(errors).length > 0

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
  if (session.kind === 'full') {
    const check = verifyPassword(form.currentPassword!, family.passwordHash, config.scrypt)
    if (!check.matches) {
      return {
        ok: false,
        reason: 'invalid',
        errors: { current_password: ['Le mot de passe actuel est incorrect.'] },
      }
    }
  }
  // Single use, decided by one conditional UPDATE however many requests race (PRODUCT.md §4);
  // claimed before hashing, so a spent temporary password costs no hash.
  if (session.kind === 'restricted') {
    const consumed =
      session.temporaryPasswordId !== null &&
      (await consumeTemporaryPassword(db, session.temporaryPasswordId, now))
    if (!consumed) return { ok: false, reason: 'temporary-password-gone' }
  }
  const passwordHash = hashPassword(form.newPassword, config.scrypt)

  const writes = [
    setPasswordHash(db, family.id, passwordHash, now),
    invalidateFamilySessions(db, family.id),
    // Guesses at the old password say nothing about the new one.
    clearAttemptsStatement(db, limitKey('signin-number', family.familyNumber)),
    recordEventStatement(db, {
      type: 'password_changed',
      familyId: family.id,
      clientKey: client.clientKey,
    }),
    // The route counted this attempt like a sign-in (current password asked): it was not a failure.
    ...(session.kind === 'full' ? forgiveSignInStatements(db, client) : []),
  ] as const
  if (!family.email) {
    await db.batch(writes)
    return { ok: true, mailId: null }
  }
  const content = await passwordChangedMail({
    family,
    changedAt: now,
    loginUrl: loginUrl(config),
    portalName: config.portalName,
    contactText: config.contactText,
  })
  const notice = enqueueMailStatement(db, {
    familyId: family.id,
    kind: 'password_changed',
    to: family.email,
    content,
    now,
    expiresAt: now + NOTICE_LIFETIME_MS,
  }).returning({ id: outbox.id })
  const [queued] = await db.batch([notice, ...writes])
  return { ok: true, mailId: queued[0]?.id ?? null }
}
