import { spawnSync } from 'node:child_process'
import { delimiter, join, resolve } from 'node:path'

// The project's own wrangler, run as npm scripts run it (the ops commands use lib/platform.ts).
export const projectRoot = resolve(import.meta.dirname, '../..')
export const projectBin = join(projectRoot, 'node_modules/.bin')

/**
 * The environment npm scripts give their commands: node_modules/.bin first (so wrangler runs on the
 * Node 22 of the `node` package) and no interactive prompt (wrangler.toml turns metrics off).
 */
export const toolEnv = {
  ...process.env,
  PATH: `${projectBin}${delimiter}${process.env.PATH}`,
  CI: 'true',
}

/** Runs the project's wrangler and returns what it printed; throws with its output on failure. */
export function runWrangler(args: string[]): string {
  const run = spawnSync(join(projectBin, 'wrangler'), args, {
    cwd: projectRoot,
    encoding: 'utf8',
    env: toolEnv,
  })
  if (run.status !== 0) {
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${run.stderr || run.stdout}`)
  }
  return run.stdout
}
