import { utf8ToBytes } from '@noble/hashes/utils.js'
import { constantTimeEqual } from './crypto'
import { normalizePassword } from './password-policy'
import { hashesCrowded } from './hash-gate'
import { scryptYielding } from './scrypt'

// OWASP Password Storage cheat sheet (scrypt); ASVS 5.0 V11.4.2. The parameters travel with each hash
// so they can be raised later: an older hash is upgraded at the next successful sign-in.
export type ScryptParams = { logN: number; r: number; p: number }

const KEY_LENGTH = 32
const SALT_LENGTH = 16

let computedHashes = 0

/** How many scrypt computations this isolate ran: sign-in must cost one, known number or not. */
export function scryptComputations(): number {
  return computedHashes
}

// Yields to the event loop every few milliseconds (services/scrypt.ts), more often in a crowd of
// hashes (hash-gate.ts): other requests on the isolate are served while a sign-in hashes.
function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  computedHashes++
  // NIST SP 800-63B 5.1.1.2: normalise Unicode so the same password typed on two keyboards matches.
  return scryptYielding(
    utf8ToBytes(normalizePassword(password)),
    salt,
    {
      N: 2 ** params.logN,
      r: params.r,
      p: params.p,
      dkLen: KEY_LENGTH,
    },
    hashesCrowded,
  )
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const unb64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH))
  const key = await derive(password, salt, params)
  return ['scrypt', params.logN, params.r, params.p, b64(salt), b64(key)].join('$')
}

// scrypt holds 128·N·r bytes at once (RFC 7914 §6), 128·r·p more for its input block. An isolate has
// 128 MB for all its concurrent requests (docs/stack-facts.md): one hash never takes more than 32 MiB.
export const SCRYPT_MAX_MEMORY_BYTES = 32 * 1024 * 1024
const SCRYPT_MAX_P = 16

/** Whether scrypt with `params` fits the per-hash memory bound (and the parameters are sane at all). */
export function isAffordable({ logN, r, p }: ScryptParams): boolean {
  if (![logN, r, p].every(Number.isSafeInteger)) return false
  if (logN < 1 || r < 1 || p < 1 || p > SCRYPT_MAX_P) return false
  return 128 * 2 ** logN * r <= SCRYPT_MAX_MEMORY_BYTES
}

type StoredHash = { params: ScryptParams; salt: Uint8Array; key: Uint8Array }

// The database is not trusted to hold only what this code wrote (an import, a restore, a bad edit):
// a hash it cannot afford or cannot read is no hash, refused before anything is allocated.
function parseStoredHash(stored: string): StoredHash | null {
  const [scheme, logN, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return null
  const params = { logN: Number(logN), r: Number(r), p: Number(p) }
  if (!isAffordable(params)) return null
  try {
    return { params, salt: unb64(salt), key: unb64(key) }
  } catch {
    return null
  }
}

// A family with no password (or an unknown number) still costs one hash: the answer's timing
// must not tell whether the number exists (OWASP Authentication cheat sheet, "Authentication responses").
const DUMMY_SALT = new Uint8Array(SALT_LENGTH)

export type PasswordCheck = { matches: boolean; needsRehash: boolean }

/**
 * Checks `password` against `stored`, computing exactly one scrypt whatever `stored` is: an unknown,
 * unreadable or unaffordable hash costs the same as a wrong password, and never matches.
 */
export async function verifyPassword(
  password: string,
  stored: string | null,
  current: ScryptParams,
): Promise<PasswordCheck> {
  const parsed = stored ? parseStoredHash(stored) : null
  if (!parsed) {
    await derive(password, DUMMY_SALT, current)
    return { matches: false, needsRehash: false }
  }
  const matches = constantTimeEqual(await derive(password, parsed.salt, parsed.params), parsed.key)
  const weaker =
    2 ** parsed.params.logN * parsed.params.r * parsed.params.p <
      2 ** current.logN * current.r * current.p || parsed.params.r < current.r
  return { matches, needsRehash: matches && weaker }
}
