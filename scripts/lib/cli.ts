import { parseArgs } from 'node:util'
import type { Target } from './platform'

/** The options every ops command shares: --remote, --env NAME, --persist-to DIR. */
export function parseCommandLine(extra: Record<string, { type: 'boolean' | 'string' }> = {}) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      remote: { type: 'boolean', default: false },
      env: { type: 'string' },
      'persist-to': { type: 'string' },
      ...extra,
    },
  })
  const target: Target = {
    remote: Boolean(values.remote),
    env: values.env as string | undefined,
    persistTo: values['persist-to'] as string | undefined,
  }
  return { values: values as Record<string, string | boolean | undefined>, positionals, target }
}

/** Stops with a message on standard error and a non-zero status. */
export function fail(message: string, status = 1): never {
  console.error(message)
  process.exit(status)
}

export const where = (target: { remote: boolean; env?: string }) =>
  `${target.remote ? 'base distante' : 'base locale'}${target.env ? ` (${target.env})` : ''}`
