import { spawnSync } from 'node:child_process'
import { delimiter, join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'node_modules/.bin')

/** Runs an ops command as `npm run` would (tsx, Node 22 first on PATH) and returns what it printed. */
export function runTool(script: string, args: string[]) {
  const run = spawnSync(join(bin, 'tsx'), [join('scripts', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${bin}${delimiter}${process.env.PATH}`,
      WRANGLER_SEND_METRICS: 'false',
    },
    timeout: 120_000,
  })
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    output: run.stdout + run.stderr,
  }
}

/** Applies the migrations to a fresh local D1 in `persistTo`, as `npm run db:migrate:local` does. */
export function migrateLocalDatabase(persistTo: string) {
  const run = spawnSync(
    join(bin, 'wrangler'),
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${bin}${delimiter}${process.env.PATH}`,
        WRANGLER_SEND_METRICS: 'false',
        CI: 'true',
      },
    },
  )
  if (run.status !== 0) throw new Error(run.stderr || run.stdout)
}
