import { hmacHex } from './crypto'

// What the per-client limits and the security events key on. One client is one network: an IPv4
// address, or an IPv6 /64 (the smallest prefix a subscriber is given, RFC 6177), so one home cannot
// play 2^64 clients. A subscriber may be given a /56 or a /48 (RIPE-690 §4.2), so the limits count an
// IPv6 client at /64, /56 and /48 at once, with caps ×1, ×4 and ×16: one free /48 is not 65 536 clients. Stored only as an HMAC with a secret: an unsalted hash of the 2^32 IPv4 addresses
// is reversed by enumeration (CNIL, "pseudonymisation"; GDPR recital 26).

/** The network a client address belongs to: the IPv4 address, or the IPv6 /64 as `xxxx:…:xxxx::/64`. */
export function clientNetwork(address: string): string {
  const trimmed = address.trim().toLowerCase()
  if (!trimmed.includes(':')) return trimmed
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(trimmed)
  if (mapped) return mapped[1]!
  const groups = expandIpv6(trimmed.split('%')[0]!)
  if (!groups) return trimmed
  return `${groups.slice(0, 4).join(':')}::/64`
}

/** The eight groups of an IPv6 address without leading zeros, or null when it is not one. */
export function expandIpv6(address: string): string[] | null {
  const halves = address.split('::')
  if (halves.length > 2) return null
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const head = parse(halves[0]!)
  const tail = halves.length === 2 ? parse(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null
  return groups.map((group) => group.replace(/^0+(?=.)/, ''))
}

/** The keyed digest of the client's network (`local` when the edge gave no address). */
export function clientKey(secret: string, address: string | undefined): string {
  return hmacHex(secret, `client:${clientNetwork(address ?? 'local')}`)
}

/** A network a client belongs to, keyed, and how many clients' worth of attempts it may make. */
// `scale`: the cap multiplier (×1, ×4, ×16 by prefix; ×10 more in a network the commune trusts);
// `prefix`: which burst limiter counts it (0: the client's own network, 1: its /56, 2: its /48).
export type ClientNetwork = { key: string; scale: number; prefix: number }

// The wider prefixes an IPv6 client is also counted under, with their caps' multipliers.
const WIDER_IPV6_PREFIXES = [
  { groups: 3.5, bits: 56, scale: 4 },
  { groups: 3, bits: 48, scale: 16 },
] as const

// A network the commune trusts (its town hall's Wi-Fi, its France services counter) holds many
// families at once: its per-client caps are this many times higher.
const TRUSTED_SCALE = 10

/**
 * Every network the per-client limits count the client under: its own (`clientKey`, ×1) and, for
 * IPv6, its /56 (×4) and /48 (×16); each ×10 when the address is in one of `trusted`.
 */
export function clientNetworks(
  secret: string,
  address: string | undefined,
  trusted: Cidr[] = [],
): ClientNetwork[] {
  const factor =
    address && trusted.some((block) => cidrContains(block, address)) ? TRUSTED_SCALE : 1
  const own = { key: clientKey(secret, address), scale: factor, prefix: 0 }
  const groups = address?.includes(':')
    ? expandIpv6(address.trim().toLowerCase().split('%')[0]!)
    : null
  if (!groups) return [own]
  const wider = WIDER_IPV6_PREFIXES.map(({ groups: count, bits, scale }, index) => {
    const whole = groups.slice(0, Math.floor(count))
    // A /56 keeps the first byte of the fourth group.
    const half = count % 1 ? [`${(parseInt(groups[3]!, 16) >> 8).toString(16)}xx`] : []
    const key = hmacHex(secret, `client:${[...whole, ...half].join(':')}::/${bits}`)
    return { key, scale: scale * factor, prefix: index + 1 }
  })
  return [own, ...wider]
}

/** An IPv4 or IPv6 CIDR block, as the address's bits and the prefix length. */
export type Cidr = { bits: bigint; length: number; family: 4 | 6 }

/** The address as a number and its family, or null when it is not an IP address. */
function addressBits(address: string): { bits: bigint; family: 4 | 6 } | null {
  const trimmed = address.trim().toLowerCase()
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(clientNetwork(trimmed))
  if (v4 && !trimmed.includes('/')) {
    const octets = v4.slice(1).map(Number)
    if (octets.some((octet) => octet > 255)) return null
    return { bits: octets.reduce((sum, octet) => (sum << 8n) | BigInt(octet), 0n), family: 4 }
  }
  const groups = trimmed.includes(':') ? expandIpv6(trimmed.split('%')[0]!) : null
  if (!groups) return null
  return {
    bits: groups.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n),
    family: 6,
  }
}

/** `192.0.2.0/24` or `2001:db8:12::/48`; null when it is not a CIDR block. */
export function parseCidr(block: string): Cidr | null {
  const [address, length, ...rest] = block.split('/')
  if (!address || length === undefined || rest.length > 0 || !/^\d{1,3}$/.test(length)) return null
  const parsed = addressBits(address)
  const size = Number(length)
  if (!parsed || size > (parsed.family === 4 ? 32 : 128)) return null
  return { ...parsed, length: size }
}

function cidrContains(block: Cidr, address: string): boolean {
  const parsed = addressBits(address)
  if (!parsed || parsed.family !== block.family) return false
  const width = BigInt(block.family === 4 ? 32 : 128)
  const shift = width - BigInt(block.length)
  return parsed.bits >> shift === block.bits >> shift
}
