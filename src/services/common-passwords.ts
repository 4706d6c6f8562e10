// One entry a line, lowercase; written by scripts/build-common-passwords.mjs (wrangler's Text module rule).
import COMMON_PASSWORDS from '../data/common-passwords.txt'

// NIST SP 800-63B 5.1.1.2 and ASVS 5.0 V6.2.4: refuse passwords found in breach corpuses and words
// specific to the service. Compared in lowercase: "Azerty123" is "azerty123" with a capital.
const CONTEXT_WORDS = new Set([
  'famille',
  'portail',
  'enfance',
  'cantine',
  'mairie',
  'ecole',
  'école',
  'periscolaire',
  'périscolaire',
  'acces',
  'accès',
  'motdepasse',
  'bienvenue',
  'azerty',
])

let leaked: Set<string> | undefined

export function isCommonPassword(candidate: string): boolean {
  leaked ??= new Set(COMMON_PASSWORDS.split('\n').filter(Boolean))
  const lower = candidate.normalize('NFKC').toLowerCase()
  if (leaked.has(lower)) return true
  // "Famille2026", "Cantine#123": a service word dressed with digits and symbols.
  const letters = lower.replace(/[^\p{L}]+/gu, '')
  return CONTEXT_WORDS.has(letters)
}
