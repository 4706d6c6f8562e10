import { scryptSync } from 'node:crypto'
import type { ScryptParams } from '../src/services/passwords'

// One scrypt hash at the configured setting: @noble/hashes and node:crypto inside workerd (through
// the bench-only Worker of bench/wrangler.toml), and Node's native scrypt in this process.
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!

async function roundTrip(url: string) {
  const sent = performance.now()
  const response = await fetch(url)
  await response.text()
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
  return performance.now() - sent
}

/** Milliseconds per hash inside workerd: (K hashes − an empty request) / K, median of `rounds`. */
export async function workerdHashMs(
  hashWorkerUrl: string,
  impl: 'noble' | 'yielding' | 'node',
  params: ScryptParams,
  rounds = 7,
  count = 4,
) {
  const query = `logN=${params.logN}&r=${params.r}&p=${params.p}`
  await roundTrip(`${hashWorkerUrl}/?impl=${impl}&count=1&${query}`)
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const empty = await roundTrip(`${hashWorkerUrl}/?impl=none&count=${count}&${query}`)
    const full = await roundTrip(`${hashWorkerUrl}/?impl=${impl}&count=${count}&${query}`)
    samples.push((full - empty) / count)
  }
  return median(samples)
}

export function nodeNativeHashMs(params: ScryptParams, rounds = 5) {
  const N = 2 ** params.logN
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const started = performance.now()
    scryptSync('Jardin-2026', 'sel-de-seize-oct', 32, {
      N,
      r: params.r,
      p: params.p,
      maxmem: 256 * N * params.r,
    })
    samples.push(performance.now() - started)
  }
  return median(samples)
}
