import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { scrypt } from '@noble/hashes/scrypt.js'
import type { TestProject } from 'vitest/node'
import { CHROMIUM, chromiumMissingMessage } from './chromium'

// Serves the real app with `wrangler dev` on a free loopback port, over its own throw-away local D1
// (migrated and seeded here, before the server starts), for the browser tests.
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
] as const
export type Scenario = (typeof SCENARIOS)[number]
export const KNOWN_PASSWORD = 'Soleil2026'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'node_modules/.bin')
// npm scripts put node_modules/.bin first, so wrangler runs on the Node 22 of the `node` package.
const childEnv = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH}`,
  WRANGLER_SEND_METRICS: 'false',
  CI: 'true',
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function wrangler(args: string[]) {
  const run = spawnSync(join(bin, 'wrangler'), args, { cwd: root, env: childEnv, encoding: 'utf8' })
  if (run.status !== 0)
    throw new Error(`wrangler ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`)
}

function passwordHash(password: string) {
  const salt = randomBytes(16)
  const key = scrypt(new TextEncoder().encode(password.normalize('NFKC')), salt, {
    N: 2 ** 14,
    r: 8,
    p: 5,
    dkLen: 32,
  })
  return ['scrypt', 14, 8, 5, salt.toString('base64'), Buffer.from(key).toString('base64')].join(
    '$',
  )
}

function seedSql(families: Record<Scenario, string>, expiredSecret: string) {
  const known = passwordHash(KNOWN_PASSWORD)
  const rows = SCENARIOS.map((scenario, index) => {
    const hash = scenario === 'errors' || scenario === 'audit' ? `'${known}'` : 'NULL'
    return `('${families[scenario]}', 'FAMILLE${index}', 'Camille', '${scenario.toLowerCase()}@example.org', ${hash})`
  })
  const expiredHash = createHash('sha256').update(expiredSecret).digest('hex')
  return `${readFileSync(join(root, 'scripts/demo-families.sql'), 'utf8')}
INSERT INTO families (family_number, last_name, first_name, email, password_hash) VALUES ${rows.join(',\n')};
INSERT INTO temporary_passwords (family_id, secret_hash, expires_at)
  SELECT id, '${expiredHash}', 1000 FROM families WHERE family_number = '${families.expired}';
`
}

async function waitUntilServing(url: string, server: ChildProcess, output: () => string) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited:\n${output()}`)
    try {
      if ((await fetch(`${url}/connexion`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 250))
  }
  throw new Error(`wrangler dev did not answer within 90 s:\n${output()}`)
}

export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) throw new Error(chromiumMissingMessage())

  const state = mkdtempSync(join(tmpdir(), 'acces-famille-e2e-'))
  const families = Object.fromEntries(
    SCENARIOS.map((scenario, index) => [
      scenario,
      `77${String(Date.now()).slice(-7)}${String(index).padStart(6, '0')}`,
    ]),
  ) as Record<Scenario, string>
  const expiredSecret = randomBytes(16).toString('hex')
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state])
  const seed = join(state, 'seed.sql')
  writeFileSync(seed, seedSql(families, expiredSecret))
  wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', state, '--file', seed])

  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  let output = ''
  const server = spawn(
    join(bin, 'wrangler'),
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      state,
      '--var',
      `PUBLIC_URL:${baseUrl}`,
    ],
    { cwd: root, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  server.stdout!.on('data', (chunk) => (output += chunk))
  server.stderr!.on('data', (chunk) => (output += chunk))
  try {
    await waitUntilServing(baseUrl, server, () => output)
  } catch (error) {
    if (server.pid) process.kill(-server.pid, 'SIGTERM')
    throw error
  }

  project.provide('baseUrl', baseUrl)
  project.provide('families', families)
  project.provide('expiredTemporaryPassword', expiredSecret)
  project.provide('statePath', state)

  return async () => {
    if (server.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
    rmSync(state, { recursive: true, force: true })
  }
}
