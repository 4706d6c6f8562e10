import { sha256 } from '@noble/hashes/sha2.js'
import { decodePKIXECDSASignature, ECDSAPublicKey, p256 } from '@oslojs/crypto/ecdsa'
import { RSAPublicKey } from '@oslojs/crypto/rsa'
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding'
import {
  ClientDataType,
  COSEKeyType,
  coseAlgorithmES256,
  coseAlgorithmRS256,
  coseEllipticCurveP256,
  parseAttestationObject,
  parseAuthenticatorData,
  parseClientDataJSON,
  type AuthenticatorData,
} from '@oslojs/webauthn'

// WebAuthn Level 3 §7 (registration and authentication ceremonies), the parts a relying party that
// asks for no attestation must check, with @oslojs/webauthn for parsing and WebCrypto for signatures
// (docs/passkeys.md). No database here: the flows (flows/passkeys.ts) fence the challenge and the
// counter in their batches.

/** The relying party, from PUBLIC_URL only: never from the request's Host (a proxy could change it). */
export type RelyingParty = { id: string; origin: string; name: string }

export function relyingParty(publicUrl: string, name: string): RelyingParty {
  const url = new URL(publicUrl)
  return { id: url.hostname, origin: url.origin, name }
}

/** ES256 first: every platform authenticator has it; RS256 for Windows Hello's older TPMs. */
export const ALGORITHMS = [coseAlgorithmES256, coseAlgorithmRS256]

// The reasons stay in the security events and logs; the family reads one French sentence.
export type Refused = { ok: false; reason: string }
const refused = (reason: string): Refused => ({ ok: false, reason })

export const encodeBase64url = encodeBase64urlNoPadding

/** base64url from a form field, or null if it is not (an empty field is not either). */
export function decodeBase64url(value: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return null
  try {
    return decodeBase64urlIgnorePadding(value)
  } catch {
    return null
  }
}

/**
 * The client data of a ceremony (§7.1 steps 7-10, §7.2 steps 11-14): its type, this origin, not in
 * another site's frame. Returns the challenge it answers, for the caller to find and spend.
 */
export function readClientData(
  clientDataJSON: Uint8Array,
  type: 'create' | 'get',
  rp: RelyingParty,
): { ok: true; challenge: string } | Refused {
  let clientData
  try {
    clientData = parseClientDataJSON(clientDataJSON)
  } catch {
    return refused('malformed client data')
  }
  const expected = type === 'create' ? ClientDataType.Create : ClientDataType.Get
  if (clientData.type !== expected) return refused('wrong ceremony type')
  if (clientData.origin !== rp.origin) return refused('wrong origin')
  if (clientData.crossOrigin === true) return refused('cross-origin frame')
  return { ok: true, challenge: encodeBase64url(clientData.challenge) }
}

/** §7.1 step 15-17 and §7.2 steps 15-17: this RP ID, the user present and verified. */
function checkAuthenticatorData(data: AuthenticatorData, rp: RelyingParty): Refused | null {
  if (!data.verifyRelyingPartyIdHash(rp.id)) return refused('wrong RP ID')
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
 * A registration's attestation object (§7.1 steps 12-26, with attestation "none": its statement is
 * not checked, whatever its format). Returns the credential to store.
 */
export function readRegistration(
  attestationObject: Uint8Array,
  rp: RelyingParty,
): ({ ok: true } & NewPasskey) | Refused {
  let data: AuthenticatorData
  try {
    data = parseAttestationObject(attestationObject).authenticatorData
  } catch {
    return refused('malformed attestation object')
  }
  const problem = checkAuthenticatorData(data, rp)
  if (problem) return problem
  const credential = data.credential
  if (!credential) return refused('no credential')
  // §5.8.3: at most 1023 bytes.
  if (credential.id.length < 16 || credential.id.length > 1023) return refused('credential id size')
  const key = publicKeyInfo(credential.publicKey)
  if (!key) return refused('unsupported public key')
  return {
    ok: true,
    credentialId: encodeBase64url(credential.id),
    publicKey: encodeBase64url(key.spki),
    algorithm: key.algorithm,
    signCount: data.signatureCounter,
  }
}

type COSEKey = NonNullable<AuthenticatorData['credential']>['publicKey']

/** ES256 on P-256 or RS256, as SubjectPublicKeyInfo for WebCrypto; anything else refused. */
function publicKeyInfo(key: COSEKey): { spki: Uint8Array; algorithm: number } | null {
  try {
    const algorithm = key.algorithm()
    if (algorithm === coseAlgorithmES256 && key.type() === COSEKeyType.EC2) {
      const { curve, x, y } = key.ec2()
      if (curve !== coseEllipticCurveP256) return null
      return { spki: new ECDSAPublicKey(p256, x, y).encodePKIXUncompressed(), algorithm }
    }
    if (algorithm === coseAlgorithmRS256 && key.type() === COSEKeyType.RSA) {
      const { n, e } = key.rsa()
      return { spki: new RSAPublicKey(n, e).encodePKIX(), algorithm }
    }
  } catch {
    // A key whose parameters are missing or of the wrong type.
  }
  return null
}

const IMPORT = {
  [coseAlgorithmES256]: { name: 'ECDSA', namedCurve: 'P-256' },
  [coseAlgorithmRS256]: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
} as const
const VERIFY = {
  [coseAlgorithmES256]: { name: 'ECDSA', hash: 'SHA-256' },
  [coseAlgorithmRS256]: { name: 'RSASSA-PKCS1-v1_5' },
} as const

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
  const algorithm = passkey.algorithm as keyof typeof IMPORT
  if (!(algorithm in IMPORT)) return refused('unsupported algorithm')
  const message = new Uint8Array(input.authenticatorData.length + 32)
  message.set(input.authenticatorData)
  message.set(sha256(input.clientDataJSON), input.authenticatorData.length)
  try {
    // Copied into their own ArrayBuffer: what WebCrypto's BufferSource asks for.
    const spki = new Uint8Array(decodeBase64urlIgnorePadding(passkey.publicKey))
    const key = await crypto.subtle.importKey('spki', spki, IMPORT[algorithm], false, ['verify'])
    // Authenticators sign ES256 in DER (§6.5.6); WebCrypto verifies r ‖ s.
    const signature = new Uint8Array(
      algorithm === coseAlgorithmES256
        ? decodePKIXECDSASignature(input.signature).encodeIEEEP1363(p256)
        : input.signature,
    )
    const valid = await crypto.subtle.verify(VERIFY[algorithm], key, signature, message)
    if (!valid) return refused('bad signature')
  } catch {
    return refused('bad signature')
  }
  return { ok: true, signCount: data.signatureCounter }
}
