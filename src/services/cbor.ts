// The CBOR (RFC 8949) that WebAuthn sends, read strictly: an attestation object (a map with text keys)
// and a COSE key (a map with small integer keys), both in CTAP2's canonical form, so definite lengths
// only (CTAP 2.1 §8). Anything else (tags, floats, indefinite lengths, truncation, nesting past 8) is
// refused with an error the caller turns into a refusal.

export type Cbor = number | string | boolean | null | Uint8Array | Cbor[] | Map<Cbor, Cbor>

const MAX_DEPTH = 8
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** The item at `at` and where the next one starts. */
export function readCbor(bytes: Uint8Array, at = 0, depth = 0): [Cbor, number] {
  if (depth > MAX_DEPTH || at >= bytes.length) throw new Error('CBOR: truncated or too deep')
  const major = bytes[at]! >> 5
  const info = bytes[at]! & 31
  let next = at + 1
  let length = info
  if (info >= 24) {
    if (info > 27) throw new Error('CBOR: indefinite length or reserved')
    const size = 1 << (info - 24)
    if (next + size > bytes.length) throw new Error('CBOR: truncated')
    length = 0
    for (let i = 0; i < size; i++) length = length * 256 + bytes[next + i]!
    next += size
  }
  switch (major) {
    case 0:
      return [length, next]
    case 1:
      return [-1 - length, next]
    case 2:
    case 3: {
      const end = next + length
      if (end > bytes.length) throw new Error('CBOR: truncated')
      const slice = bytes.slice(next, end)
      return [major === 2 ? slice : utf8.decode(slice), end]
    }
    case 4:
    case 5: {
      // Each item takes a byte at least: a length beyond what is left fails as truncated.
      const items: Cbor[] = []
      for (let i = 0; i < length * (major === 5 ? 2 : 1); i++) {
        const [item, after] = readCbor(bytes, next, depth + 1)
        items.push(item)
        next = after
      }
      if (major === 4) return [items, next]
      const map = new Map<Cbor, Cbor>()
      for (let i = 0; i < items.length; i += 2) map.set(items[i]!, items[i + 1]!)
      return [map, next]
    }
    case 7:
      if (info === 20 || info === 21) return [info === 21, next]
      if (info === 22) return [null, next]
  }
  throw new Error('CBOR: unsupported item')
}
