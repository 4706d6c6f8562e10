import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectBin, projectRoot, runWrangler, toolEnv } from './wrangler'

// `wrangler dev` on a free loopback port over a throw-away local D1, migrated and seeded before the
// server starts. For the browser tests and the benchmark: the real app, as `npm start` serves it.
// `processGroup`: wrangler's process group (workerd runs in it), for the bench's memory readings.
export type LocalServer = {
  baseUrl: string
  statePath: string
  processGroup: number
  stop: () => Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Starts the app with `seedSql` in its fresh database, then `beforeStart`'s work. `vars` override wrangler.toml's (as
 * `--var NAME:value`); `config` picks another wrangler config file; `host` names the server in its
 * address (`localhost` for passkeys: WebAuthn refuses an IP address as a relying party's id).
 */
export async function startLocalServer(options: {
  seedSql: string
  vars?: Record<string, string>
  config?: string
  host?: 'localhost' | '127.0.0.1'
  // Work on the seeded database before the server opens it (an import with the ops tool, say).
  beforeStart?: (statePath: string) => void
}): Promise<LocalServer> {
  const statePath = mkdtempSync(join(tmpdir(), 'acces-famille-local-'))
  const configArgs = options.config ? ['--config', options.config] : []
  runWrangler([
    'd1',
    'migrations',
    'apply',
    'DB',
    '--local',
    '--persist-to',
    statePath,
    ...configArgs,
  ])
  const seed = join(statePath, 'seed.sql')
  writeFileSync(seed, options.seedSql)
  runWrangler([
    'd1',
    'execute',
    'DB',
    '--local',
    '--persist-to',
    statePath,
    '--file',
    seed,
    ...configArgs,
  ])
  options.beforeStart?.(statePath)
  const server = await startWrangler(
    ['dev', '--persist-to', statePath, ...configArgs],
    options.vars,
    options.host,
  )
  return {
    ...server,
    statePath,
    stop: async () => {
      await server.stop()
      rmSync(statePath, { recursive: true, force: true })
    },
  }
}

/**
 * `wrangler <args> --ip 127.0.0.1 --port <free>`, resolved once it answers HTTP at
 * `http://<host>:<port>` (its PUBLIC_URL too).
 */
export async function startWrangler(
  args: string[],
  vars: Record<string, string> = {},
  host: 'localhost' | '127.0.0.1' = '127.0.0.1',
) {
  const port = await freePort()
  const baseUrl = `http://${host}:${port}`
  const varArgs = Object.entries({ PUBLIC_URL: baseUrl, ...vars }).flatMap(([name, value]) => [
    '--var',
    `${name}:${value}`,
  ])
  let output = ''
  const server = spawn(
    join(projectBin, 'wrangler'),
    [...args, '--ip', '127.0.0.1', '--port', String(port), ...varArgs],
    {
      cwd: projectRoot,
      env: toolEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk))
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk))
  const stop = async () => {
    if (server.pid === undefined || server.exitCode !== null) return
    const exited = new Promise((done) => server.once('exit', done))
    try {
      process.kill(-server.pid, 'SIGTERM')
    } catch {
      return
    }
    await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))])
  }
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`wrangler ${args[0]} exited:\n${output}`)
    try {
      await fetch(baseUrl)
      return { baseUrl, stop, processGroup: server.pid! }
    } catch {
      await new Promise((wait) => setTimeout(wait, 250))
    }
  }
  await stop()
  throw new Error(`wrangler ${args[0]} did not answer within 90 s:\n${output}`)
}
