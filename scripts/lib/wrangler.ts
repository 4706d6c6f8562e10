import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'

// The ops tools talk to D1 only through `wrangler d1 execute` (local or remote), like ops would.
export type Target = {
  remote: boolean
  // A wrangler environment ("production", "staging"); none: the top level (local development).
  env?: string
  // Local state directory, for tests (`--persist-to`); none: wrangler's default .wrangler/state.
  persistTo?: string
}

export const projectRoot = resolve(import.meta.dirname, '../..')
export const projectBin = join(projectRoot, 'node_modules/.bin')

/**
 * The environment npm scripts give their commands: node_modules/.bin first (so wrangler runs on the
 * Node 22 of the `node` package), no telemetry, no interactive prompt.
 */
export const toolEnv = {
  ...process.env,
  PATH: `${projectBin}${delimiter}${process.env.PATH}`,
  WRANGLER_SEND_METRICS: 'false',
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

function targetArgs(target: Target): string[] {
  const args = [target.remote ? '--remote' : '--local', '--yes']
  if (target.env) args.push('--env', target.env)
  if (target.persistTo && !target.remote) args.push('--persist-to', target.persistTo)
  return args
}

/** Runs one read query and returns its rows. */
export function query<Row>(target: Target, sql: string): Row[] {
  const output = runWrangler([
    'd1',
    'execute',
    'DB',
    ...targetArgs(target),
    '--json',
    '--command',
    sql,
  ])
  const [result] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ results: Row[] }>
  return result?.results ?? []
}

/**
 * Runs SQL statements from a private temporary file (never on the command line, where other users
 * could read it), then deletes the file.
 */
export function execute(target: Target, statements: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'acces-famille-'))
  const file = join(dir, 'statements.sql')
  try {
    writeFileSync(file, `${statements.join(';\n')};\n`, { mode: 0o600 })
    runWrangler(['d1', 'execute', 'DB', ...targetArgs(target), '--file', file])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A SQL string literal. Values are validated before they get here; quotes are still doubled. */
export const sqlText = (value: string | null) =>
  value === null ? 'NULL' : `'${value.replaceAll("'", "''")}'`
