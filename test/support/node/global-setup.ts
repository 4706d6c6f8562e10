import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startLocalServer } from '../../../scripts/lib/local-server'
import { SCRYPT_FLOOR } from '../../../src/config'
import { hashPassword } from '../../../src/services/passwords'
import { chromiumExecutable } from '../../../scripts/lib/chromium'

// Serves the real app with `wrangler dev` on a free loopback port, over its own throw-away local D1
// seeded with one family per scenario, for the browser and ops-tool tests.
declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
    families: Record<Scenario, string>
    expiredTemporaryPassword: string
    // The local D1 state wrangler dev serves, for the ops tools' tests.
    statePath: string
  }
}

export const SCENARIOS = [
  'withJs',
  'withoutJs',
  'keyboard',
  'errors',
  'expired',
  'budget',
  'fragments',
  'staff',
  'audit',
  'phone',
  'number',
  'locked',
  'shared',
  'closed',
] as const
export type Scenario = (typeof SCENARIOS)[number]
export const KNOWN_PASSWORD = 'Soleil2026'

const root = resolve(import.meta.dirname, '../../..')

async function seedSql(families: Record<Scenario, string>, expiredSecret: string) {
  const known = await hashPassword(KNOWN_PASSWORD, SCRYPT_FLOOR)
  const rows = SCENARIOS.map((scenario, index) => {
    const hash = ['errors', 'audit', 'phone', 'locked', 'shared', 'closed'].includes(scenario)
      ? `'${known}'`
      : 'NULL'
    return `('${families[scenario]}', 'FAMILLE${index}', 'Camille', '${scenario.toLowerCase()}@example.org', ${hash})`
  })
  const expiredHash = createHash('sha256').update(expiredSecret).digest('hex')
  return `${readFileSync(join(root, 'scripts/demo-families.sql'), 'utf8')}
INSERT INTO families (family_number, last_name, first_name, email, password_hash) VALUES ${rows.join(',\n')};
INSERT INTO temporary_passwords (family_id, secret_hash, expires_at)
  SELECT id, '${expiredHash}', 1000 FROM families WHERE family_number = '${families.expired}';
UPDATE families SET closed_at = 1000 WHERE family_number = '${families.closed}';
`
}

export default async function setup(project: TestProject) {
  // Resolved (and, for the bundled one, unpacked) once, before any test file launches it.
  const browser = await chromiumExecutable()
  console.log(`browser tests: Chromium from ${browser.source} (${browser.path})`)

  const families = Object.fromEntries(
    SCENARIOS.map((scenario, index) => [
      scenario,
      `77${String(Date.now()).slice(-7)}${String(index).padStart(6, '0')}`,
    ]),
  ) as Record<Scenario, string>
  const expiredSecret = randomBytes(16).toString('hex')
  const server = await startLocalServer({ seedSql: await seedSql(families, expiredSecret) })

  project.provide('baseUrl', server.baseUrl)
  project.provide('families', families)
  project.provide('expiredTemporaryPassword', expiredSecret)
  project.provide('statePath', server.statePath)

  return server.stop
}
