// A software authenticator, as a phone's would answer navigator.credentials.create() and .get(): keys
// made with WebCrypto inside the test, CBOR and COSE written by hand (WebAuthn L3 §6, RFC 8949,
// RFC 9053). Every field can be bent to play an attacker or a broken device.
import { encodeBase64url as base64url } from '../../src/services/webauthn'
import { testConfig } from './helpers'

const text = new TextEncoder()
const sha256 = async (bytes: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
const fromBase64url = (value: string) =>
  Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>

function cborHead(major: number, length: number): Uint8Array {
  if (length < 24) return Uint8Array.of((major << 5) | length)
  if (length < 256) return Uint8Array.of((major << 5) | 24, length)
  if (length < 65536) return Uint8Array.of((major << 5) | 25, length >> 8, length & 255)
  throw new Error('too long for this encoder')
}

/** The CBOR subset WebAuthn uses: small integers, text, bytes, maps. */
export function cbor(value: Cbor): Uint8Array {
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value)
  if (typeof value === 'string') {
    const bytes = text.encode(value)
    return concat(cborHead(3, bytes.length), bytes)
  }
  if (value instanceof Uint8Array) return concat(cborHead(2, value.length), value)
  const entries = [...value].flatMap(([key, item]) => [cbor(key), cbor(item)])
  return concat(cborHead(5, value.size), ...entries)
}

/** ECDSA's r ‖ s (WebCrypto) as the DER SEQUENCE authenticators send (§6.5.6). */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0
    while (start < bytes.length - 1 && bytes[start] === 0) start++
    let value = bytes.slice(start)
    if (value[0]! & 0x80) value = concat(Uint8Array.of(0), value)
    return concat(Uint8Array.of(0x02, value.length), value)
  }
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)))
  return concat(Uint8Array.of(0x30, body.length), body)
}

export type Algorithm = 'ES256' | 'RS256'

export type RelyingPartyView = { rpId: string; origin: string }

/** The RP this app declares (from PUBLIC_URL): what an honest browser and authenticator use. */
export const ourRelyingParty = (): RelyingPartyView => {
  const url = new URL(testConfig.publicUrl)
  return { rpId: url.hostname, origin: url.origin }
}

type Flags = { userPresent?: boolean; userVerified?: boolean }

async function authenticatorData(
  rpId: string,
  flags: Flags,
  counter: number,
  attested?: Uint8Array,
): Promise<Uint8Array> {
  const bits =
    (flags.userPresent === false ? 0 : 0x01) |
    (flags.userVerified === false ? 0 : 0x04) |
    (attested ? 0x40 : 0)
  const count = new Uint8Array(4)
  new DataView(count.buffer).setUint32(0, counter)
  return concat(
    await sha256(text.encode(rpId)),
    Uint8Array.of(bits),
    count,
    attested ?? new Uint8Array(),
  )
}

const clientData = (type: string, challenge: string, origin: string) =>
  text.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }))

/** One passkey, held by this software authenticator. */
export class SoftPasskey {
  counter: number
  private constructor(
    readonly algorithm: Algorithm,
    readonly keys: CryptoKeyPair,
    readonly credentialId: Uint8Array,
    readonly userHandle: string,
    counter: number,
  ) {
    this.counter = counter
  }

  get id() {
    return base64url(this.credentialId)
  }

  static async make(
    userHandle: string,
    options: { algorithm?: Algorithm; counter?: number; modulusLength?: number } = {},
  ): Promise<SoftPasskey> {
    const algorithm = options.algorithm ?? 'ES256'
    const keys = (await crypto.subtle.generateKey(
      algorithm === 'ES256'
        ? { name: 'ECDSA', namedCurve: 'P-256' }
        : {
            name: 'RSASSA-PKCS1-v1_5',
            modulusLength: options.modulusLength ?? 2048,
            publicExponent: Uint8Array.of(1, 0, 1),
            hash: 'SHA-256',
          },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair
    const id = crypto.getRandomValues(new Uint8Array(32))
    return new SoftPasskey(algorithm, keys, id, userHandle, options.counter ?? 0)
  }

  private async coseKey(): Promise<Uint8Array> {
    const jwk = (await crypto.subtle.exportKey('jwk', this.keys.publicKey)) as JsonWebKey
    if (this.algorithm === 'ES256') {
      return cbor(
        new Map<Cbor, Cbor>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, fromBase64url(jwk.x!)],
          [-3, fromBase64url(jwk.y!)],
        ]),
      )
    }
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 3],
        [3, -257],
        [-1, fromBase64url(jwk.n!)],
        [-2, fromBase64url(jwk.e!)],
      ]),
    )
  }

  /** navigator.credentials.create()'s answer to `challenge`, as the registration form posts it. */
  async attestation(
    challenge: string,
    overrides: Partial<RelyingPartyView> & Flags & { type?: string } = {},
  ) {
    const rp = { ...ourRelyingParty(), ...overrides }
    const length = Uint8Array.of(this.credentialId.length >> 8, this.credentialId.length & 255)
    const attested = concat(new Uint8Array(16), length, this.credentialId, await this.coseKey())
    const authData = await authenticatorData(rp.rpId, overrides, this.counter, attested)
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    )
    return {
      client_data: base64url(clientData(overrides.type ?? 'webauthn.create', challenge, rp.origin)),
      attestation_object: base64url(attestationObject),
    }
  }

  /** navigator.credentials.get()'s answer to `challenge`, as the sign-in form posts it. */
  async assertion(
    challenge: string,
    overrides: Partial<RelyingPartyView> &
      Flags & { counter?: number; userHandle?: string; type?: string } = {},
  ) {
    const rp = { ...ourRelyingParty(), ...overrides }
    if (overrides.counter === undefined && this.counter > 0) this.counter++
    const counter = overrides.counter ?? this.counter
    const authData = await authenticatorData(rp.rpId, overrides, counter)
    const data = clientData(overrides.type ?? 'webauthn.get', challenge, rp.origin)
    const signed = concat(authData, await sha256(data))
    const raw = new Uint8Array(
      await crypto.subtle.sign(
        this.algorithm === 'ES256'
          ? { name: 'ECDSA', hash: 'SHA-256' }
          : { name: 'RSASSA-PKCS1-v1_5' },
        this.keys.privateKey,
        signed,
      ),
    )
    return {
      credential_id: this.id,
      client_data: base64url(data),
      authenticator_data: base64url(authData),
      signature: base64url(this.algorithm === 'ES256' ? derSignature(raw) : raw),
      user_handle: overrides.userHandle ?? this.userHandle,
    }
  }
}

type Browser = {
  post(path: string, form: Record<string, string>): Promise<Response>
}

/** A passkey made by the signed-in family in `browser`, through the real options and form. */
export async function registerPasskey(
  browser: Browser,
  options: { algorithm?: Algorithm; counter?: number; name?: string } = {},
) {
  const answer = await browser.post('/espace/cles-d-acces/defi', {})
  if (answer.status !== 200) throw new Error(`registration options: ${answer.status}`)
  const creation = (await answer.json()) as {
    challenge: string
    user: { id: string; name: string }
  }
  const passkey = await SoftPasskey.make(creation.user.id, options)
  const response = await browser.post('/espace/cles-d-acces', {
    ...(await passkey.attestation(creation.challenge)),
    name: options.name ?? '',
  })
  if (response.headers.get('location') !== '/espace') {
    throw new Error(`registering led to ${response.headers.get('location') ?? response.status}`)
  }
  return { passkey, creation }
}

/** A sign-in challenge, as the passkey script asks for one. */
export async function signInChallenge(browser: Browser): Promise<string> {
  const answer = await browser.post('/connexion/cle-d-acces/defi', {})
  return ((await answer.json()) as { challenge: string }).challenge
}
