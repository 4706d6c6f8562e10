// "Recovery answer time": whether a known number or address makes POST /mot-de-passe-oublie or
// POST /numero-oublie answer later than an unknown one. Requests go one at a time, the four kinds
// interleaved, each from a client address of its own (the per-client mail limits never answer 429),
// each known request for a family of its own (so each one does the whole lookup, issue and mail).

export const RECOVERY_SAMPLES = 200

const KNOWN_NUMBER_BASE = 870_000_000_000_000

/** The families the known requests ask for: one per sample, each with an address of its own. */
export function recoveryFamilies(samples = RECOVERY_SAMPLES) {
  return Array.from({ length: samples }, (_, index) => ({
    number: String(KNOWN_NUMBER_BASE + index + 1),
    email: `bench-connu-${index + 1}@example.org`,
  }))
}

export function recoverySeedSql(samples = RECOVERY_SAMPLES) {
  const rows = recoveryFamilies(samples).map(
    ({ number, email }) => `('${number}', 'BANC', 'Connu', '${email}')`,
  )
  return `INSERT INTO families (family_number, last_name, first_name, email) VALUES\n  ${rows.join(',\n  ')};\n`
}

type Kind = 'number known' | 'number unknown' | 'address known' | 'address unknown'
export type RecoveryTiming = {
  samples: number
  kinds: Array<{ kind: Kind; median: number; p95: number; statuses: Record<number, number> }>
  differences: Array<{
    route: string
    knownMinusUnknown: number
    ci95: [number, number]
    halves: number
  }>
}

// 127.60.0.0/16 and up: apart from the random addresses of the other sections.
let nextClient = 0
function freshClientAddress() {
  nextClient++
  return `127.${60 + (nextClient >> 16)}.${(nextClient >> 8) & 255}.${nextClient & 255 || 1}`
}

async function timedPost(baseUrl: string, path: string, form: Record<string, string>) {
  const started = performance.now()
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
      'cf-connecting-ip': freshClientAddress(),
    },
    body: new URLSearchParams(form),
  })
  await response.arrayBuffer()
  return { ms: performance.now() - started, status: response.status }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b)
function quantile(values: number[], q: number) {
  const s = sorted(values)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}
const median = (values: number[]) => {
  const s = sorted(values)
  const middle = s.length / 2
  return s.length % 2 ? s[Math.floor(middle)]! : (s[middle - 1]! + s[middle]!) / 2
}
const resample = (values: number[]) =>
  values.map(() => values[Math.floor(Math.random() * values.length)]!)

/** 95 % bootstrap interval of median(known) − median(unknown): the noise around the difference. */
function bootstrapDifference(known: number[], unknown: number[], rounds = 2_000): [number, number] {
  const differences = Array.from(
    { length: rounds },
    () => median(resample(known)) - median(resample(unknown)),
  )
  return [quantile(differences, 0.025), quantile(differences, 0.975)]
}

export async function measureRecoveryTiming(
  baseUrl: string,
  samples = RECOVERY_SAMPLES,
): Promise<RecoveryTiming> {
  const families = recoveryFamilies(samples)
  const times: Record<Kind, number[]> = {
    'number known': [],
    'number unknown': [],
    'address known': [],
    'address unknown': [],
  }
  const statuses: Record<Kind, Record<number, number>> = {
    'number known': {},
    'number unknown': {},
    'address known': {},
    'address unknown': {},
  }
  const requests: Record<Kind, (index: number) => [string, Record<string, string>]> = {
    'number known': (i) => ['/mot-de-passe-oublie', { identifier: families[i]!.number }],
    'number unknown': (i) => [
      '/mot-de-passe-oublie',
      { identifier: String(KNOWN_NUMBER_BASE + 500_000 + i) },
    ],
    'address known': (i) => ['/numero-oublie', { email: families[i]!.email }],
    'address unknown': (i) => ['/numero-oublie', { email: `bench-inconnu-${i}@example.org` }],
  }
  const kinds = Object.keys(requests) as Kind[]
  // A few requests first, so that the isolate's first-use costs land in no sample.
  for (let i = 0; i < 5; i++) {
    await timedPost(baseUrl, '/mot-de-passe-oublie', {
      identifier: String(KNOWN_NUMBER_BASE + 900_000 + i),
    })
  }
  for (let i = 0; i < samples; i++) {
    // Interleaved, in an order that rotates, so a drift of the machine touches every kind alike.
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(i + k) % kinds.length]!
      const [path, form] = requests[kind](i)
      const { ms, status } = await timedPost(baseUrl, path, form)
      times[kind].push(ms)
      statuses[kind][status] = (statuses[kind][status] ?? 0) + 1
    }
  }
  const difference = (route: string, known: number[], unknown: number[]) => {
    const half = Math.floor(unknown.length / 2)
    const evens = unknown.filter((_, index) => index % 2 === 0)
    const odds = unknown.filter((_, index) => index % 2 === 1)
    return {
      route,
      knownMinusUnknown: median(known) - median(unknown),
      ci95: bootstrapDifference(known, unknown),
      // Two halves of the unknown samples against each other: the difference noise alone makes.
      halves: half > 0 ? median(evens) - median(odds) : 0,
    }
  }
  return {
    samples,
    kinds: kinds.map((kind) => ({
      kind,
      median: median(times[kind]),
      p95: quantile(times[kind], 0.95),
      statuses: statuses[kind],
    })),
    differences: [
      difference('POST /mot-de-passe-oublie', times['number known'], times['number unknown']),
      difference('POST /numero-oublie', times['address known'], times['address unknown']),
    ],
  }
}
