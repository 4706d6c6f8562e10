import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

/** `byteCount` bytes from the platform CSPRNG, as lowercase hex. */
export function randomHex(byteCount: number): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(byteCount)))
}

/** SHA-256 as hex. For high-entropy secrets (tokens, temporary passwords) and for keys, never for passwords. */
export function sha256Hex(value: string): string {
  return bytesToHex(sha256(utf8ToBytes(value)))
}

/** Compares without leaking, through timing, where the first difference is. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** HMAC-SHA-256 as hex: a keyed digest, for values too guessable to hash alone (addresses, devices). */
export function hmacHex(key: string, value: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(key), utf8ToBytes(value)))
}

/** Whether two hex strings are equal, in constant time. */
export function hexEqual(a: string, b: string): boolean {
  return constantTimeEqual(utf8ToBytes(a), utf8ToBytes(b))
}
