import type { CommonPasswordCheck } from '../common-passwords'
import { passwordProblems } from '../password-policy'
import type { CurrentSession } from '../records/sessions'
import { isTemporaryPassword } from '../records/temporary-passwords'
import type { Settings as Config } from '../settings'

// Step 5's form and its own rules, checked before any hash is computed (password-change.ts acts).
export type PasswordChangeForm = {
  currentPassword?: string
  newPassword: string
  confirmation: string
  // « Supprimer aussi les clés d'accès enregistrées » (docs/passkeys.md).
  removePasskeys?: boolean
}

export type PasswordChangeErrors = {
  current_password?: string[]
  new_password?: string[]
  confirmation?: string[]
}

/** The form's own rules, before any hash is computed. */
export function passwordChangeErrors(
  config: Config,
  current: CurrentSession,
  form: PasswordChangeForm,
  isCommonPassword: CommonPasswordCheck,
): PasswordChangeErrors {
  const errors: PasswordChangeErrors = {}
  const { session, family } = current
  if (session.kind === 'full' && !form.currentPassword) {
    errors.current_password = ['Saisissez votre mot de passe actuel.']
  }
  const temporaryHash = current.temporaryPasswordHash
  const problems = passwordProblems(form.newPassword, {
    minLength: config.passwordMinLength,
    familyNumber: family.familyNumber,
    isTemporaryPassword: (candidate) =>
      temporaryHash !== null && isTemporaryPassword(temporaryHash, candidate),
    isCommonPassword,
  })
  if (problems.length > 0) errors.new_password = problems
  if (form.confirmation !== form.newPassword) {
    errors.confirmation = ['La confirmation ne correspond pas au nouveau mot de passe.']
  }
  return errors
}

export const hasErrors = (errors: PasswordChangeErrors) => Object.keys(errors).length > 0
