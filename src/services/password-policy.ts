// The seed's composition rules are kept on purpose (docs/recovery-flow.md; the deviation from NIST SP 800-63B
// 5.1.1.2 is argued in SECURITY.md). Unicode-aware: "É" is an uppercase letter, "٣" a digit.
export const MAX_PASSWORD_LENGTH = 128

export type PolicyContext = {
  minLength: number
  familyNumber: string
  // The temporary password being replaced, when there is one: it must not be chosen again.
  isTemporaryPassword?: (candidate: string) => boolean
  isCommonPassword?: (candidate: string) => boolean
}

export type PolicyRule = { id: string; label: (minLength: number) => string }

/** The rules as the family reads them before typing (seed step 5). */
export const COMPOSITION_RULES: PolicyRule[] = [
  { id: 'length', label: (min) => `${min} caractères minimum` },
  { id: 'uppercase', label: () => 'Au moins 1 majuscule' },
  { id: 'lowercase', label: () => 'Au moins 1 minuscule' },
  { id: 'digit', label: () => 'Au moins 1 caractère numérique' },
]

const length = (value: string) => [...value].length

/**
 * The password as it is hashed (services/passwords.ts): the rules judge what protects the account,
 * not how it was typed. "e" + a combining accent counts as one character, full-width digits as digits.
 */
export const normalizePassword = (password: string) => password.normalize('NFKC')

/** Each broken rule as a French sentence, in reading order; empty when the password is acceptable. */
export function passwordProblems(typed: string, context: PolicyContext): string[] {
  const password = normalizePassword(typed)
  const problems: string[] = []
  const size = length(password)
  if (size < context.minLength) {
    problems.push(`Le mot de passe doit compter au moins ${context.minLength} caractères.`)
  }
  if (size > MAX_PASSWORD_LENGTH) {
    problems.push(`Le mot de passe ne doit pas dépasser ${MAX_PASSWORD_LENGTH} caractères.`)
  }
  if (!/\p{Lu}/u.test(password))
    problems.push('Le mot de passe doit contenir au moins 1 majuscule.')
  if (!/\p{Ll}/u.test(password))
    problems.push('Le mot de passe doit contenir au moins 1 minuscule.')
  if (!/\p{Nd}/u.test(password)) {
    problems.push('Le mot de passe doit contenir au moins 1 caractère numérique.')
  }
  if (password.includes(context.familyNumber)) {
    problems.push('Le mot de passe ne doit pas contenir votre numéro de famille.')
  }
  if (context.isTemporaryPassword?.(password)) {
    problems.push('Choisissez un mot de passe différent du mot de passe temporaire.')
  }
  if (problems.length === 0 && context.isCommonPassword?.(password)) {
    problems.push('Ce mot de passe est trop courant et facile à deviner : choisissez-en un autre.')
  }
  return problems
}
