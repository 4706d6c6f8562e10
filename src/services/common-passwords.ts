// scripts/data/common-passwords.txt as a Golomb-coded set (scripts/build-common-passwords-filter.ts):
// every listed password is found; any other is taken for one at 1 in 1 000 at most
// (docs/recovery-flow.md, step 5).
import { COMMON_PASSWORDS } from '../data/common-passwords.gen'
import { openGolombCodedSet } from './golomb-coded-set'

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

let isLeaked: ((password: string) => boolean) | undefined

export function isCommonPassword(candidate: string): boolean {
  isLeaked ??= openGolombCodedSet({
    ...COMMON_PASSWORDS,
    bytes: Uint8Array.from(atob(COMMON_PASSWORDS.bytes), (char) => char.charCodeAt(0)),
  })
  const lower = candidate.normalize('NFKC').toLowerCase()
  if (isLeaked(lower)) return true
  // "Famille2026", "Cantine#123": a service word dressed with digits and symbols.
  const letters = lower.replace(/[^\p{L}]+/gu, '')
  return CONTEXT_WORDS.has(letters)
}
