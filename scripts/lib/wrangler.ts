import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
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

/**
 * What `wrangler deploy --env <env>` would upload, built offline as wrangler.toml configures it, in
 * wrangler's own words ("Total Upload: X KiB / gzip: Y KiB"): every module, not only index.js.
 */
export function measureUpload(env: string): { rawKiB: number; gzipKiB: number } {
  const out = mkdtempSync(join(tmpdir(), 'upload-'))
  try {
    const printed = runWrangler(['deploy', '--dry-run', '--env', env, '--outdir', out])
    const total = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(printed)
    if (!total) throw new Error(`no "Total Upload" line in wrangler's output:\n${printed}`)
    return { rawKiB: Number(total[1]), gzipKiB: Number(total[2]) }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}
