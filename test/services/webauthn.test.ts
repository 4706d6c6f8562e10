import { describe, expect, it } from 'vitest'
import { readCbor } from '../../src/services/cbor'
import { readRegistration, relyingParty, verifyAssertion } from '../../src/services/webauthn'
import { cbor, ourRelyingParty, SoftPasskey } from '../support/webauthn'

// The formats an attacker controls byte for byte: each malformed shape is refused, never thrown.

const rp = () => relyingParty(`${ourRelyingParty().origin}`, 'Portail')
const bytes = (...values: number[]) => Uint8Array.from(values)

describe('readCbor', () => {
  it('reads the maps, integers, byte and text strings WebAuthn sends', () => {
    const encoded = cbor(
      new Map<any, any>([
        [1, 2],
        [-2, bytes(1, 2)],
        ['fmt', 'none'],
      ]),
    )
    const [value, end] = readCbor(encoded)
    expect(end).toBe(encoded.length)
    expect(value).toEqual(
      new Map<any, any>([
        [1, 2],
        [-2, bytes(1, 2)],
        ['fmt', 'none'],
      ]),
    )
  })

  it.each([
    ['a truncated byte string', bytes(0x44, 1, 2)],
    ['an indefinite-length map', bytes(0xbf, 0xff)],
    ['a tag', bytes(0xc0, 0x01)],
    ['a float', bytes(0xfa, 0, 0, 0, 0)],
    ['a map longer than its bytes', bytes(0xb9, 0xff, 0xff, 0x01)],
    ['invalid UTF-8 text', bytes(0x62, 0xc3, 0x28)],
    ['nesting past 8 levels', bytes(...Array(12).fill(0x81), 0x01)],
    ['nothing at all', bytes()],
  ])('refuses %s', (_, input) => {
    expect(() => readCbor(input)).toThrow(/CBOR|UTF|decode|encoded/i)
  })
})

describe('readRegistration', () => {
  it('refuses garbage, trailing bytes and an unsupported key without throwing', async () => {
    const passkey = await SoftPasskey.make('handle')
    const { attestation_object } = await passkey.attestation('challenge')
    const good = Uint8Array.from(
      atob(attestation_object.replace(/-/g, '+').replace(/_/g, '/')),
      (c) => c.charCodeAt(0),
    )
    expect((await readRegistration(good, rp())).ok).toBe(true)
    expect(await readRegistration(bytes(0xa0), rp())).toEqual({
      ok: false,
      reason: 'malformed attestation object',
    })
    const authData = (readCbor(good)[0] as Map<string, Uint8Array>).get('authData')!
    const wrap = (data: Uint8Array) =>
      cbor(
        new Map<any, any>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', data],
        ]),
      )
    // A byte after the credential's key, inside the authenticator data (no extension flag).
    expect(await readRegistration(wrap(new Uint8Array([...authData, 0])), rp())).toEqual({
      ok: false,
      reason: 'malformed attestation object',
    })
    // A byte after the attestation object itself.
    expect((await readRegistration(new Uint8Array([...good, 0]), rp())).ok).toBe(false)
    // An EdDSA key (COSE -8): not offered, not accepted.
    const edKey = cbor(
      new Map<any, any>([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, new Uint8Array(32)],
      ]),
    )
    const swapped = new Uint8Array([...authData.slice(0, 55 + 32), ...edKey])
    expect(await readRegistration(wrap(swapped), rp())).toEqual({
      ok: false,
      reason: 'unsupported public key',
    })
  })

  it('refuses an RSA key under 2048 bits', async () => {
    const weak = await SoftPasskey.make('handle', { algorithm: 'RS256', modulusLength: 1024 })
    const { attestation_object } = await weak.attestation('challenge')
    const object = Uint8Array.from(
      atob(attestation_object.replace(/-/g, '+').replace(/_/g, '/')),
      (c) => c.charCodeAt(0),
    )
    expect(await readRegistration(object, rp())).toEqual({
      ok: false,
      reason: 'unsupported public key',
    })
  })
})

describe('verifyAssertion', () => {
  it('refuses a signature that is not DER, or signed by another key', async () => {
    const passkey = await SoftPasskey.make('handle')
    const other = await SoftPasskey.make('handle')
    const jwk = (await crypto.subtle.exportKey('jwk', passkey.keys.publicKey)) as JsonWebKey
    const stored = {
      publicKey: JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }),
      algorithm: -7,
    }
    const decode = (value: string) =>
      Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
    const signedBy = async (key: SoftPasskey) => {
      const assertion = await key.assertion('challenge')
      return {
        authenticatorData: decode(assertion.authenticator_data),
        clientDataJSON: decode(assertion.client_data),
        signature: decode(assertion.signature),
      }
    }
    expect(await verifyAssertion(await signedBy(passkey), stored, rp())).toEqual({
      ok: true,
      signCount: 0,
    })
    expect(await verifyAssertion(await signedBy(other), stored, rp())).toEqual({
      ok: false,
      reason: 'bad signature',
    })
    const raw = { ...(await signedBy(passkey)), signature: new Uint8Array(64) }
    expect(await verifyAssertion(raw, stored, rp())).toEqual({ ok: false, reason: 'bad signature' })
  })
})
