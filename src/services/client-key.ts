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
export type ClientNetwork = { key: string; scale: number }

// The wider prefixes an IPv6 client is also counted under, with their caps' multipliers.
const WIDER_IPV6_PREFIXES = [
  { groups: 3.5, bits: 56, scale: 4 },
  { groups: 3, bits: 48, scale: 16 },
] as const

/**
 * Every network the per-client limits count the client under: its own (`clientKey`, ×1) and, for
 * IPv6, its /56 (×4) and /48 (×16).
 */
export function clientNetworks(secret: string, address: string | undefined): ClientNetwork[] {
  const own = { key: clientKey(secret, address), scale: 1 }
  const groups = address?.includes(':')
    ? expandIpv6(address.trim().toLowerCase().split('%')[0]!)
    : null
  if (!groups) return [own]
  const wider = WIDER_IPV6_PREFIXES.map(({ groups: count, bits, scale }) => {
    const whole = groups.slice(0, Math.floor(count))
    // A /56 keeps the first byte of the fourth group.
    const half = count % 1 ? [`${(parseInt(groups[3]!, 16) >> 8).toString(16)}xx`] : []
    return { key: hmacHex(secret, `client:${[...whole, ...half].join(':')}::/${bits}`), scale }
  })
  return [own, ...wider]
}
