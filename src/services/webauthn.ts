import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { readCbor, type Cbor } from './cbor'
import { constantTimeEqual } from './crypto'

// WebAuthn Level 3 §7 (registration and authentication ceremonies): what a relying party that asks for
// no attestation must check (docs/passkeys.md), with WebCrypto for keys and signatures. The formats are
// read here, strictly (./cbor.ts): @oslojs/webauthn did the same in 8 KiB gzip of the Worker, which
// the 100 KiB budget could not hold (README, the Worker's size). No database here: the flows
// (flows/passkeys.ts) fence the challenge and the counter in their batches.

/** The relying party, from PUBLIC_URL only: never from the request's Host (a proxy could change it). */
export type RelyingParty = { id: string; origin: string; name: string }

export function relyingParty(publicUrl: string, name: string): RelyingParty {
  const url = new URL(publicUrl)
  return { id: url.hostname, origin: url.origin, name }
}

// COSE algorithms (RFC 9053): ES256 first, which every platform authenticator has; RS256 for Windows
// Hello's older TPMs.
const ES256 = -7
const RS256 = -257
export const ALGORITHMS = [ES256, RS256]

// The reasons stay in the security events and logs; the family reads one French sentence.
export type Refused = { ok: false; reason: string }
const refused = (reason: string): Refused => ({ ok: false, reason })

/** base64url without padding (RFC 4648 §5), as WebAuthn's JSON and the forms carry bytes. */
export function encodeBase64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** base64url from a form field, or null if it is not (an empty field is not either). */
export function decodeBase64url(value: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return null
  try {
    return Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
      c.charCodeAt(0),
    )
  } catch {
    return null
  }
}

/**
 * The client data of a ceremony (§7.1 steps 5-10, §7.2 steps 9-14): its type, this origin, not in
 * another site's frame. Returns the challenge it answers, for the caller to find and spend.
 */
export function readClientData(
  clientDataJSON: Uint8Array,
  type: 'create' | 'get',
  rp: RelyingParty,
): { ok: true; challenge: string } | Refused {
  let data: { type?: unknown; challenge?: unknown; origin?: unknown; crossOrigin?: unknown }
  try {
    data = JSON.parse(
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(clientDataJSON),
    )
  } catch {
    return refused('malformed client data')
  }
  if (data?.type !== `webauthn.${type}`) return refused('wrong ceremony type')
  if (data.origin !== rp.origin) return refused('wrong origin')
  if (data.crossOrigin === true) return refused('cross-origin frame')
  if (typeof data.challenge !== 'string' || !decodeBase64url(data.challenge)) {
    return refused('malformed client data')
  }
  return { ok: true, challenge: data.challenge }
}

type AuthenticatorData = {
  rpIdHash: Uint8Array
  userPresent: boolean
  userVerified: boolean
  signCount: number
  credential: { id: Uint8Array; publicKey: Cbor } | null
}

// §6.1 flags.
const UP = 0x01
const UV = 0x04
const AT = 0x40
const ED = 0x80

/** §6.1: rpIdHash (32), flags (1), signCount (4), then the attested credential data (§6.5.2) if AT. */
function parseAuthenticatorData(bytes: Uint8Array): AuthenticatorData {
  if (bytes.length < 37) throw new Error('authenticator data: too short')
  const flags = bytes[32]!
  const signCount = new DataView(bytes.buffer, bytes.byteOffset + 33, 4).getUint32(0)
  let credential = null
  let end = 37
  if (flags & AT) {
    if (bytes.length < 55) throw new Error('attested credential data: too short')
    const idEnd = 55 + ((bytes[53]! << 8) | bytes[54]!)
    if (idEnd > bytes.length) throw new Error('credential id: truncated')
    const [publicKey, after] = readCbor(bytes, idEnd)
    credential = { id: bytes.slice(55, idEnd), publicKey }
    end = after
  }
  // Extensions (ED) would follow; none is asked for, so nothing else may.
  if (!(flags & ED) && end !== bytes.length) throw new Error('authenticator data: trailing bytes')
  return {
    rpIdHash: bytes.subarray(0, 32),
    userPresent: Boolean(flags & UP),
    userVerified: Boolean(flags & UV),
    signCount,
    credential,
  }
}

/** §7.1 steps 13-15 and §7.2 steps 15-17: this RP ID, the user present and verified. */
function checkAuthenticatorData(data: AuthenticatorData, rp: RelyingParty): Refused | null {
  if (!constantTimeEqual(data.rpIdHash, sha256(utf8ToBytes(rp.id)))) return refused('wrong RP ID')
  if (!data.userPresent) return refused('user not present')
  // The phone's fingerprint, face or screen lock: what makes a passkey more than something held.
  if (!data.userVerified) return refused('user not verified')
  return null
}

export type NewPasskey = {
  credentialId: string
  publicKey: string
  algorithm: number
  signCount: number
}

/**
 * A registration's attestation object (§7.1 steps 11-26, with attestation "none": its statement is
 * not checked, whatever its format). Returns the credential to store, its key checked by WebCrypto.
 */
export async function readRegistration(
  attestationObject: Uint8Array,
  rp: RelyingParty,
): Promise<({ ok: true } & NewPasskey) | Refused> {
  let data: AuthenticatorData
  try {
    const [object, end] = readCbor(attestationObject)
    const authData = object instanceof Map ? object.get('authData') : null
    if (end !== attestationObject.length || !(authData instanceof Uint8Array)) throw new Error()
    data = parseAuthenticatorData(authData)
  } catch {
    return refused('malformed attestation object')
  }
  const problem = checkAuthenticatorData(data, rp)
  if (problem) return problem
  const credential = data.credential
  if (!credential) return refused('no credential')
  // §5.8.3: at most 1023 bytes; fewer than 16 is no random id.
  if (credential.id.length < 16 || credential.id.length > 1023) return refused('credential id size')
  const key = publicKeyJwk(credential.publicKey)
  if (!key) return refused('unsupported public key')
  try {
    await crypto.subtle.importKey('jwk', key.jwk, IMPORT[key.algorithm], false, ['verify'])
  } catch {
    return refused('unsupported public key')
  }
  return {
    ok: true,
    credentialId: encodeBase64url(credential.id),
    publicKey: JSON.stringify(key.jwk),
    algorithm: key.algorithm,
    signCount: data.signCount,
  }
}

/** A COSE key (RFC 9053 §7): ES256 on P-256 or RS256, as a JWK (RFC 7517); anything else, null. */
function publicKeyJwk(
  key: Cbor,
): { jwk: JsonWebKey; algorithm: typeof ES256 | typeof RS256 } | null {
  if (!(key instanceof Map)) return null
  const [kty, alg, a, b, c] = [1, 3, -1, -2, -3].map((label) => key.get(label))
  const bytes = (value: Cbor | undefined, length?: number) =>
    value instanceof Uint8Array && (length === undefined || value.length === length)
  if (alg === ES256 && kty === 2 && a === 1 && bytes(b, 32) && bytes(c, 32)) {
    const [x, y] = [b, c].map((value) => encodeBase64url(value as Uint8Array))
    return { jwk: { kty: 'EC', crv: 'P-256', x, y }, algorithm: ES256 }
  }
  // RSA: 2048 to 4096 bits, e = 65537 (what authenticators make; a small key is refused).
  const modulus = a instanceof Uint8Array ? a.length - (a[0] === 0 ? 1 : 0) : 0
  const f4 = b instanceof Uint8Array && b.join() === '1,0,1'
  if (alg === RS256 && kty === 3 && modulus >= 256 && modulus <= 512 && f4) {
    const [n, e] = [a, b].map((value) => encodeBase64url(value as Uint8Array))
    return { jwk: { kty: 'RSA', n, e }, algorithm: RS256 }
  }
  return null
}

const IMPORT = {
  [ES256]: { name: 'ECDSA', namedCurve: 'P-256' },
  [RS256]: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
} as const
const VERIFY = {
  [ES256]: { name: 'ECDSA', hash: 'SHA-256' },
  [RS256]: { name: 'RSASSA-PKCS1-v1_5' },
} as const

/** An ECDSA P-256 signature in DER (§6.5.6: how authenticators send it) as WebCrypto's r ‖ s. */
function ecdsaSignature(der: Uint8Array): Uint8Array | null {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return null
  const raw = new Uint8Array(64)
  let at = 2
  for (const offset of [0, 32]) {
    if (der[at] !== 0x02) return null
    const length = der[at + 1] ?? 0
    let integer = der.subarray(at + 2, at + 2 + length)
    at += 2 + length
    while (integer.length > 32 && integer[0] === 0) integer = integer.subarray(1)
    if (integer.length === 0 || integer.length > 32) return null
    raw.set(integer, offset + 32 - integer.length)
  }
  return at === der.length ? raw : null
}

/**
 * An assertion (§7.2 steps 15-21): this RP ID, user present and verified, and the signature over
 * authenticatorData ‖ SHA-256(clientDataJSON) by the stored key. Returns the authenticator's counter.
 */
export async function verifyAssertion(
  input: { authenticatorData: Uint8Array; clientDataJSON: Uint8Array; signature: Uint8Array },
  passkey: { publicKey: string; algorithm: number },
  rp: RelyingParty,
): Promise<{ ok: true; signCount: number } | Refused> {
  let data: AuthenticatorData
  try {
    data = parseAuthenticatorData(input.authenticatorData)
  } catch {
    return refused('malformed authenticator data')
  }
  const problem = checkAuthenticatorData(data, rp)
  if (problem) return problem
  const algorithm = passkey.algorithm
  if (algorithm !== ES256 && algorithm !== RS256) return refused('unsupported algorithm')
  const signature = algorithm === ES256 ? ecdsaSignature(input.signature) : input.signature
  if (!signature) return refused('bad signature')
  const message = new Uint8Array(input.authenticatorData.length + 32)
  message.set(input.authenticatorData)
  message.set(sha256(input.clientDataJSON), input.authenticatorData.length)
  try {
    const jwk = JSON.parse(passkey.publicKey) as JsonWebKey
    const key = await crypto.subtle.importKey('jwk', jwk, IMPORT[algorithm], false, ['verify'])
    // Copied into its own ArrayBuffer: what WebCrypto's BufferSource type asks for.
    const valid = await crypto.subtle.verify(
      VERIFY[algorithm],
      key,
      new Uint8Array(signature),
      message,
    )
    if (!valid) return refused('bad signature')
  } catch {
    return refused('bad signature')
  }
  return { ok: true, signCount: data.signCount }
}
