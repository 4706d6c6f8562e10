import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runTool } from '../support/node/run-tool'

// `npm run config:check`: the Worker's own schema against a wrangler.toml, offline.
const dir = mkdtempSync(join(tmpdir(), 'config-check-'))
const repoToml = readFileSync(resolve(import.meta.dirname, '../../wrangler.toml'), 'utf8')

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function tomlWith(replacements: Array<[string | RegExp, string]>) {
  let toml = repoToml
  for (const [from, to] of replacements) toml = toml.replace(from, to)
  const path = join(dir, `wrangler-${Math.random().toString(36).slice(2)}.toml`)
  // `main` and `assets` are resolved from the file's folder: point them back at the project.
  writeFileSync(
    path,
    toml
      .replace('main = "src/index.tsx"', `main = "${resolve('src/index.tsx')}"`)
      .replace('directory = "public"', `directory = "${resolve('public')}"`),
  )
  return path
}

const check = (path: string, env = 'production') =>
  runTool('config-check.ts', ['--config', path, '--env', env])

const ready: Array<[string | RegExp, string]> = [
  [
    'ACCESS_TEAM_DOMAIN = "https://REPLACE.cloudflareaccess.com"',
    'ACCESS_TEAM_DOMAIN = "https://saint-exemple.cloudflareaccess.com"',
  ],
  [
    'ACCESS_AUD = "REPLACE with the Access application\'s AUD tag"',
    'ACCESS_AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2"',
  ],
  ['COMMUNE_NAME = "REPLACE with the commune\'s name"', 'COMMUNE_NAME = "Ville de Saint-Exemple"'],
  [
    'PUBLISHER_ADDRESS = "REPLACE with the town hall\'s postal address"',
    'PUBLISHER_ADDRESS = "Hôtel de ville, 2 rue de la Paix, 12345 Saint-Exemple"',
  ],
  [
    'PUBLICATION_DIRECTOR = "REPLACE with the publication director (usually the mayor)"',
    'PUBLICATION_DIRECTOR = "Mme Jeanne Exemple, maire"',
  ],
  [
    'DPO_CONTACT = "REPLACE with the DPO\'s e-mail and postal address"',
    'DPO_CONTACT = "dpo@saint-exemple.fr"',
  ],
  [
    'database_id = "REPLACE-WITH-THE-D1-DATABASE-ID"',
    'database_id = "6f1c3c4e-8d3a-4b7e-9a55-1d2f3e4a5b6c"',
  ],
  [
    'PUBLIC_URL = "https://REPLACE.famille.example"',
    'PUBLIC_URL = "https://famille.ville-exemple.fr"',
  ],
  [
    'MAIL_FROM = "Portail Famille <ne-pas-repondre@REPLACE.famille.example>"',
    'MAIL_FROM = "Portail Famille <ne-pas-repondre@ville-exemple.fr>"',
  ],
  [
    '# routes = [{ pattern = "famille.ville-exemple.fr", custom_domain = true }]',
    'routes = [{ pattern = "famille.ville-exemple.fr", custom_domain = true }]',
  ],
]

describe('npm run config:check', () => {
  it('lists every placeholder left in the production section of the repository', () => {
    const run = runTool('config-check.ts', ['--env', 'production'])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('PUBLIC_URL: still the placeholder')
    expect(run.stderr).toContain('MAIL_FROM: still the placeholder')
    for (const name of [
      'COMMUNE_NAME',
      'PUBLISHER_ADDRESS',
      'PUBLICATION_DIRECTOR',
      'DPO_CONTACT',
    ]) {
      expect(run.stderr).toContain(`${name}: still the placeholder`)
    }
    expect(run.stderr).toContain(
      'DB: database_id "REPLACE-WITH-THE-D1-DATABASE-ID" is not a real D1 database',
    )
  })

  it('refuses, in one run, values of the wrong form with an example of a valid one', () => {
    const run = check(
      tomlWith([
        ...ready,
        [
          'MAIL_FROM = "Portail Famille <ne-pas-repondre@ville-exemple.fr>"',
          'MAIL_FROM = "ne-pas-repondre@ville-exemple.fr"',
        ],
        [
          'ACCESS_AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2"',
          'ACCESS_AUD = "mon-application"',
        ],
        ['database_id = "6f1c3c4e-8d3a-4b7e-9a55-1d2f3e4a5b6c"', 'database_id = "acces-famille"'],
        [
          'routes = [{ pattern = "famille.ville-exemple.fr", custom_domain = true }]',
          'routes = [{ pattern = "portail.ville-exemple.fr", custom_domain = true }]',
        ],
      ]),
    )
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('4 problem(s)')
    expect(run.stderr).toContain(
      '- MAIL_FROM: "ne-pas-repondre@ville-exemple.fr" needs a name and an address in <…>',
    )
    expect(run.stderr).toContain('(for example "Portail Famille <ne-pas-repondre@')
    expect(run.stderr).toContain(
      '- ACCESS_AUD: "mon-application" is not an Access application\'s AUD tag',
    )
    expect(run.stderr).toContain(
      '- DB: database_id "acces-famille" is not a real D1 database\'s id, a UUID',
    )
    expect(run.stderr).toContain(
      '- routes: no route or custom domain serves famille.ville-exemple.fr, the host of PUBLIC_URL',
    )
  })

  it('refuses a secret written as a plain var', () => {
    const change: [RegExp, string] = [
      /(\[env\.production\.vars\]\n)/,
      '$1CLIENT_KEY_SECRET = "0123456789abcdef0123456789abcdef"\n',
    ]
    const run = check(tomlWith([...ready, change]))
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('- CLIENT_KEY_SECRET: a secret, never a var')
  })

  it('takes FranceConnect as two vars and the secret, refuses http and the secret as a var', () => {
    const vars = (lines: string) =>
      [/(\[env\.production\.vars\]\n)/, `$1${lines}`] as [RegExp, string]
    const configured = check(
      tomlWith([
        ...ready,
        vars(
          'FRANCECONNECT_ISSUER = "https://fcp-low.sbx.dev-franceconnect.fr/api/v2"\nFRANCECONNECT_CLIENT_ID = "client-datapass"\n',
        ),
      ]),
    )
    expect(configured.status, configured.output).toBe(0)
    const plain = check(
      tomlWith([
        ...ready,
        vars(
          'FRANCECONNECT_ISSUER = "http://fcp-low.sbx.dev-franceconnect.fr/api/v2"\nFRANCECONNECT_CLIENT_ID = "client-datapass"\nFRANCECONNECT_CLIENT_SECRET = "oops"\n',
        ),
      ]),
    )
    expect(plain.status).toBe(1)
    expect(plain.stderr).toContain('FRANCECONNECT_ISSUER: must be an https:// address')
    expect(plain.stderr).toContain('- FRANCECONNECT_CLIENT_SECRET: a secret, never a var')
  })

  it('accepts a filled-in production configuration and reminds to check the secrets', () => {
    const run = check(tomlWith(ready))
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain('configuration OK')
    expect(run.stdout).toContain('npm run secrets:check -- --env production')
    expect(run.stdout).toContain('CLIENT_KEY_SECRET')
  })

  it.each<[string, Array<[string | RegExp, string]>, string]>([
    [
      'the dev mail provider',
      [[/MAIL_PROVIDER = "http"/, 'MAIL_PROVIDER = "dev"']],
      'MAIL_PROVIDER',
    ],
    [
      'a plain-http public URL',
      [['https://famille.ville-exemple.fr', 'http://famille.ville-exemple.fr']],
      'PUBLIC_URL',
    ],
    [
      'a hash below the OWASP floor',
      [[/(\[env\.production\.vars\]\n)/, '$1SCRYPT_LOG_N = "12"\n']],
      'SCRYPT_LOG_N',
    ],
    [
      'a non-number',
      [[/(\[env\.production\.vars\]\n)/, '$1SESSION_IDLE_MINUTES = "trente"\n']],
      'SESSION_IDLE_MINUTES',
    ],
    [
      'a commune page left to its development sample',
      [
        [
          /COMMUNE_NAME = "Ville de Saint-Exemple"/,
          'COMMUNE_NAME = "Commune de Villebelle (exemple)"',
        ],
      ],
      'COMMUNE_NAME',
    ],
    [
      'a compliance claimed without an audit',
      [[/ACCESSIBILITY_STATUS = "non conforme"/, 'ACCESSIBILITY_STATUS = "totalement conforme"']],
      'ACCESSIBILITY_AUDIT_DATE',
    ],
    [
      'the cloudflare provider without its binding',
      [[/MAIL_PROVIDER = "http"/, 'MAIL_PROVIDER = "cloudflare"']],
      'EMAIL',
    ],
  ])('names the variable for %s', (_, change, variable) => {
    const run = check(tomlWith([...ready, ...change]))
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(`- ${variable}`)
  })

  describe("a deployed Worker has no address but the commune's domain", () => {
    const production = /(\[env\.production\]\n[\s\S]*?)/
    const staging = /(\[env\.staging\]\n[\s\S]*?)/
    const problemLines = (stderr: string) =>
      stderr.split('\n').filter((line) => line.startsWith('  - '))

    it('refuses a production environment with a workers.dev address', () => {
      const change: [RegExp, string] = [
        new RegExp(production.source + 'workers_dev = false'),
        '$1workers_dev = true',
      ]
      const run = check(tomlWith([...ready, change]))
      expect(run.status).toBe(1)
      expect(problemLines(run.stderr)).toEqual([
        "  - workers_dev: must be false (the commune's domain is served through `routes`)",
      ])
    })

    it('refuses a production environment that does not turn preview URLs off', () => {
      const change: [RegExp, string] = [
        new RegExp(production.source + 'preview_urls = false\n'),
        '$1',
      ]
      const run = check(tomlWith([...ready, change]))
      expect(run.status).toBe(1)
      expect(problemLines(run.stderr)).toEqual([
        '  - preview_urls: must be false (no preview URL of the portal on workers.dev)',
      ])
    })

    it('refuses a staging environment with a workers.dev address or preview URLs, listed with its other problems', () => {
      const changes: Array<[RegExp, string]> = [
        [new RegExp(staging.source + 'workers_dev = false'), '$1workers_dev = true'],
        [new RegExp(staging.source + 'preview_urls = false'), '$1preview_urls = true'],
      ]
      const run = check(tomlWith(changes), 'staging')
      expect(run.status).toBe(1)
      expect(run.stderr).toContain('PUBLIC_URL: still the placeholder')
      expect(run.stderr).toContain('  - workers_dev: must be false')
      expect(run.stderr).toContain('  - preview_urls: must be false')
    })

    it.each(['production', 'staging'])("finds neither in the repository's %s section", (env) => {
      const run = check(tomlWith([]), env)
      expect(run.stderr).not.toContain('workers_dev')
      expect(run.stderr).not.toContain('preview_urls')
    })
  })
})

describe('npm run secrets:check', () => {
  // `npm run deploy` runs it before anything is deployed: a Worker without its secrets answers 503
  // everywhere. Offline here, Cloudflare cannot be asked: the deployment stops, in one French line.
  it('stops the deployment when it cannot read the secrets from Cloudflare', () => {
    const run = runTool('secrets-check.ts', ['--env', 'production'], { CLOUDFLARE_API_TOKEN: '' })
    expect(run.status).toBe(1)
    expect(run.stderr.trim()).toBe(
      'Impossible de lire les secrets de production chez Cloudflare (npx wrangler login, ou CLOUDFLARE_API_TOKEN) : rien n’a été déployé.',
    )
  })
})
