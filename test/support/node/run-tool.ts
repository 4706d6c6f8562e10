import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { projectBin, projectRoot, runWrangler, toolEnv } from '../../../scripts/lib/wrangler'

/**
 * Runs an ops command as `npm run` would (tsx, Node 22 first on PATH) and returns what it printed;
 * `env` adds to its environment (what npm sets, say).
 */
export function runTool(script: string, args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(join(projectBin, 'tsx'), [join('scripts', script), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...toolEnv, ...env },
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
  runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo])
}
