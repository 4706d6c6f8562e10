// scripts/data/common-passwords.txt as a Golomb-coded set (scripts/build-common-passwords-filter.ts):
// every listed password is found; any other is taken for one at 1 in 1 000 at most
// (docs/recovery-flow.md, step 5). The set is a static asset (COMMON_PASSWORDS.path): its bytes are
// handed in (src/http/common-passwords.ts fetches them), checked to be the ones this build made.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { COMMON_PASSWORDS } from '../data/common-passwords.gen'
import { openGolombCodedSet } from './golomb-coded-set'

export type CommonPasswordCheck = (candidate: string) => boolean
export const COMMON_PASSWORDS_PATH = COMMON_PASSWORDS.path

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

/** The check over the set's bytes; throws if they are not the set this build made (a stale asset). */
export function commonPasswordCheck(bytes: Uint8Array): CommonPasswordCheck {
  if (
    bytes.length !== COMMON_PASSWORDS.byteLength ||
    bytesToHex(sha256(bytes)) !== COMMON_PASSWORDS.sha256
  ) {
    throw new Error('common-password set: not the one this build made')
  }
  const isLeaked = openGolombCodedSet({ ...COMMON_PASSWORDS, bytes })
  return (candidate) => {
    const lower = candidate.normalize('NFKC').toLowerCase()
    if (isLeaked(lower)) return true
    // "Famille2026", "Cantine#123": a service word dressed with digits and symbols.
    const letters = lower.replace(/[^\p{L}]+/gu, '')
    return CONTEXT_WORDS.has(letters)
  }
}
