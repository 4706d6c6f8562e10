import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unstable_readConfig } from 'wrangler'
import { afterAll, describe, expect, it } from 'vitest'
import { remoteConfigCopy } from '../../scripts/lib/platform'
import { projectRoot } from '../../scripts/lib/wrangler'

// `--remote` reaches the remote database or fails: the configuration the ops commands open for it
// marks every D1 binding remote, however its block is written. (Once, `migrations_dir =
// "./migrations"` in production's block left it local: the import wrote 300 families to a local file
// while printing « base distante (production) … Import terminé ».)
const dir = mkdtempSync(join(tmpdir(), 'remote-target-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function remoteFlags(path: string, env?: string): Array<boolean | undefined> {
  const config = unstable_readConfig({ config: path, env }, { hideWarnings: true })
  return (config.d1_databases as Array<{ remote?: boolean }>).map((database) => database.remote)
}

describe('the configuration --remote opens', () => {
  const project = readFileSync(join(projectRoot, 'wrangler.toml'), 'utf8')

  it.each([
    ['as committed', project],
    [
      'with migrations_dir = "./migrations"',
      project.replaceAll('migrations_dir = "migrations"', 'migrations_dir = "./migrations"'),
    ],
    ['with no migrations_dir', project.replaceAll('migrations_dir = "migrations"\n', '')],
  ])('marks every D1 binding of every environment remote, %s', (_, toml) => {
    const path = remoteConfigCopy(mkdtempSync(join(dir, 'copy-')), toml)
    for (const env of [undefined, 'production', 'staging']) {
      const flags = remoteFlags(path, env)
      expect(flags.length, `environment ${env ?? 'top level'}`).toBeGreaterThan(0)
      expect(
        flags.every((flag) => flag === true),
        `environment ${env ?? 'top level'}`,
      ).toBe(true)
    }
  })
})
