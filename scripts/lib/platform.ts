import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getPlatformProxy, unstable_readConfig } from 'wrangler'
import { parseConfig, type Config } from '../../src/config'
import { createDb, type Db } from '../../src/db/client'
import { projectRoot } from './wrangler'

// The ops commands run the Worker's own service functions against the real D1 binding, local or
// remote, through wrangler's getPlatformProxy: one implementation of every rule, no SQL by hand.
export type Target = {
  remote: boolean
  // A wrangler environment ("production", "staging"); none: the top level (local development).
  env?: string
  // Local state directory (as `wrangler --persist-to`), for tests; none: .wrangler/state.
  persistTo?: string
}

// `d1`: the binding itself, for the bench to inject a failure under the guard (bench/import.ts).
export type Platform = { db: Db; d1: D1Database; config: Config; dispose: () => Promise<void> }

/**
 * Opens the target's D1 and reads its configuration with the Worker's own schema. Remote targets use
 * wrangler's remote bindings (`wrangler login` first): the DB binding of the chosen environment is
 * marked `remote = true` in a temporary copy of wrangler.toml.
 */
export async function openPlatform(target: Target): Promise<Platform> {
  const vars = unstable_readConfig({ env: target.env }, { hideWarnings: true }).vars
  // Secrets are not read here: the commands never send mail themselves (the cron does).
  const parsed = parseConfig({
    ...vars,
    MAIL_API_KEY: 'unused',
    EMAIL: {},
    CLIENT_KEY_SECRET: 'x'.repeat(32),
  })
  if (!parsed.ok) throw new Error(`Configuration invalide :\n  - ${parsed.problems.join('\n  - ')}`)

  const scratch = target.remote ? mkdtempSync(join(tmpdir(), 'acces-famille-remote-')) : null
  const configPath = scratch ? remoteConfigCopy(scratch) : join(projectRoot, 'wrangler.toml')
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath,
    environment: target.env,
    persist: target.persistTo ? { path: join(target.persistTo, 'v3') } : true,
    remoteBindings: target.remote,
  })
  return {
    // Each call of an ops command reaches the remote database as a request of its own.
    db: createDb(proxy.env.DB, 'each call'),
    d1: proxy.env.DB,
    config: parsed.config,
    async dispose() {
      await proxy.dispose()
      if (scratch) rmSync(scratch, { recursive: true, force: true })
    },
  }
}

/** wrangler.toml with every D1 binding marked remote, for remote bindings (exported for its test). */
export function remoteConfigCopy(
  dir: string,
  original = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8'),
): string {
  const toml = original
    .replace(/^main = "src\/index.tsx"$/m, `main = "${join(projectRoot, 'src/index.tsx')}"`)
    .replace(/^directory = "public"$/m, `directory = "${join(projectRoot, 'public')}"`)
    // Every D1 binding is remote, however its block is written (a `migrations_dir = "./migrations"`
    // once left production's local: the import wrote to a local file while saying « base distante »).
    .replace(/^(\[\[(?:env\.[\w-]+\.)?d1_databases\]\])[ \t]*$/gm, '$1\nremote = true')
  const path = join(dir, 'wrangler.toml')
  writeFileSync(path, toml)
  return path
}
