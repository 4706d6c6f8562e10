// A Golomb-coded set of strings (Putze, Sanders & Singler, "Cache-, Hash-, and Space-Efficient Bloom
// Filters", 2007; the form of Bitcoin's BIP 158): each key hashed into [0, n·2^k), the hashes sorted
// and their gaps Rice-coded (k low bits as they are, the rest in unary). Every key added is found; a key
// never added is found with probability about 2^-k; it takes about k + 1.6 bits a key, where a Bloom
// filter of the same rate takes 1.44·k. Synchronous (WebCrypto's digests are not), dependency-free.
export type GolombCodedSet = { range: number; count: number; lowBits: number; bytes: Uint8Array }

const encoder = new TextEncoder()
const hashInto = (range: number, key: string) => murmur3(encoder.encode(key), 0x9747b28c) % range

/** The set of `keys`, to be found again at a false-positive rate of 2^-lowBits. */
export function buildGolombCodedSet(keys: string[], lowBits: number): GolombCodedSet {
  const range = keys.length * 2 ** lowBits
  const hashes = [...new Set(keys.map((key) => hashInto(range, key)))].sort((a, b) => a - b)
  const bits: number[] = []
  let previous = 0
  for (const hash of hashes) {
    const gap = hash - previous
    previous = hash
    for (let quotient = Math.floor(gap / 2 ** lowBits); quotient > 0; quotient--) bits.push(1)
    bits.push(0)
    for (let bit = lowBits - 1; bit >= 0; bit--) bits.push(Math.floor(gap / 2 ** bit) % 2)
  }
  const bytes = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, index) => (bytes[index >>> 3]! |= bit << (7 - (index & 7))))
  return { range, count: hashes.length, lowBits, bytes }
}

/** Decodes the set once; the function it returns says whether a key may be in it. */
export function openGolombCodedSet({ range, count, lowBits, bytes }: GolombCodedSet) {
  const hashes = new Set<number>()
  let position = 0
  const readBit = () => (bytes[position >>> 3]! >>> (7 - (position++ & 7))) & 1
  let hash = 0
  for (let index = 0; index < count; index++) {
    let quotient = 0
    while (readBit() === 1) quotient++
    let remainder = 0
    for (let bit = 0; bit < lowBits; bit++) remainder = remainder * 2 + readBit()
    hash += quotient * 2 ** lowBits + remainder
    hashes.add(hash)
  }
  return (key: string) => hashes.has(hashInto(range, key))
}

/** MurmurHash3 x86_32 (Austin Appleby, public domain), unsigned. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  const mixBlock = (block: number) =>
    Math.imul(rotateLeft(Math.imul(block, 0xcc9e2d51), 15), 0x1b873593)
  let hash = seed >>> 0
  const tail = bytes.length & ~3
  for (let i = 0; i < tail; i += 4) {
    const block = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    hash = (Math.imul(rotateLeft(hash ^ mixBlock(block), 13), 5) + 0xe6546b64) | 0
  }
  let last = 0
  for (let i = bytes.length - 1; i >= tail; i--) last = (last << 8) | bytes[i]!
  if (bytes.length > tail) hash ^= mixBlock(last)
  hash ^= bytes.length
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return (hash ^ (hash >>> 16)) >>> 0
}

const rotateLeft = (value: number, by: number) => (value << by) | (value >>> (32 - by))
