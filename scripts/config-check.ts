// npm run config:check -- --env production [--config wrangler.toml]
// Runs the Worker's own configuration schema (src/config.ts) against wrangler.toml, offline, and lists
// every problem; exits 1 if there is one. `npm run deploy` runs it first.
import { unstable_readConfig } from 'wrangler'
import * as z from 'zod/mini'
import { en } from 'zod/locales'
import { parseConfig } from '../src/config'
import { fail, parseCommandLine } from './lib/cli'
import { requiredSecrets } from './lib/secrets'

// zod's English for the problems this command prints (the Worker goes without: src/config/schema.ts).
z.config(en())

const { values } = parseCommandLine({ config: { type: 'string' } })
const env = values.env as string | undefined
const configPath = (values.config as string | undefined) ?? 'wrangler.toml'

let wrangler: ReturnType<typeof unstable_readConfig>
try {
  wrangler = unstable_readConfig({ config: configPath, env }, { hideWarnings: true })
} catch (error) {
  fail(`${configPath} : illisible (${(error as Error).message})`, 2)
}

const deployed = env === 'production' || env === 'staging'
const vars = wrangler.vars as Record<string, unknown>
const hasEmailBinding = wrangler.send_email.some(
  (binding: { name: string }) => binding.name === 'EMAIL',
)
// Secrets are not in wrangler.toml: assume they are set (the Worker refuses to serve without them),
// and say how to check them. One written as a plain var would be readable by anyone with the repo.
const SECRETS = [
  'MAIL_API_KEY',
  'CLIENT_KEY_SECRET',
  'TURNSTILE_SECRET_KEY',
  'FRANCECONNECT_CLIENT_SECRET',
] as const
const result = parseConfig({
  ...vars,
  MAIL_API_KEY: 'secret',
  CLIENT_KEY_SECRET: 'a-secret-of-at-least-thirty-two-characters',
  // Set as a secret exactly when the widget's site key is a var.
  TURNSTILE_SECRET_KEY: vars.TURNSTILE_SITE_KEY ? 'turnstile-secret' : undefined,
  // Set as a secret exactly when FranceConnect's issuer is a var (docs/franceconnect.md).
  FRANCECONNECT_CLIENT_SECRET: vars.FRANCECONNECT_ISSUER ? 'franceconnect-secret' : undefined,
  EMAIL: hasEmailBinding ? {} : undefined,
})
const problems = result.ok ? [] : [...result.problems]
for (const name of SECRETS) {
  if (name in vars)
    problems.push(`${name}: a secret, never a var (npm exec -- wrangler secret put ${name})`)
}

for (const [name, value] of Object.entries(vars)) {
  if (typeof value === 'string' && value.includes('REPLACE')) {
    problems.push(`${name}: still the placeholder "${value}"`)
  }
}
// The forms the providers and Cloudflare accept, each with an example of a valid value: a value of the
// wrong form passes the schema (it is a string) and fails only once deployed.
if (deployed) {
  const text = (name: string) => (typeof vars[name] === 'string' ? (vars[name] as string) : '')
  const formOf = (name: string, valid: RegExp, example: string, why: string) => {
    const value = text(name)
    if (value && !value.includes('REPLACE') && !valid.test(value)) {
      problems.push(`${name}: "${value}" ${why} (for example ${example})`)
    }
  }
  formOf(
    'MAIL_FROM',
    /^[^<>@]+ <[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>$/,
    '"Portail Famille <ne-pas-repondre@famille.ville-exemple.fr>"',
    'needs a name and an address in <…>: the mail provider refuses a bare address',
  )
  if (vars.ACCESS_AUD !== undefined) {
    formOf(
      'ACCESS_AUD',
      /^[0-9a-f]{64}$/,
      '"4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2"',
      "is not an Access application's AUD tag (64 hexadecimal characters, Zero Trust → Access → Applications → the application → Overview)",
    )
  }
}
const db = wrangler.d1_databases.find(
  (binding: { binding: string; database_id?: string }) => binding.binding === 'DB',
)
if (!db) problems.push('DB: no [[d1_databases]] binding named "DB"')
else if (
  deployed &&
  (!db.database_id ||
    /^0{8}-/.test(db.database_id) ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(db.database_id))
) {
  problems.push(
    `DB: database_id "${db.database_id ?? ''}" is not a real D1 database's id, a UUID such as ` +
      `"6f1c3c4e-8d3a-4b7e-9a55-1d2f3e4a5b6c" (npm exec -- wrangler d1 create acces-famille --jurisdiction eu)`,
  )
}

// PUBLIC_URL is where mails send families: the Worker must answer there, through a route or a custom
// domain of this environment.
if (deployed && typeof vars.PUBLIC_URL === 'string' && !vars.PUBLIC_URL.includes('REPLACE')) {
  let host = ''
  try {
    host = new URL(vars.PUBLIC_URL).host
  } catch {
    // The schema reports an address that does not parse.
  }
  const patterns = (wrangler.routes ?? []).map((route: string | { pattern: string }) =>
    typeof route === 'string' ? route : route.pattern,
  )
  if (host && !patterns.some((pattern: string) => pattern.split('/')[0] === host)) {
    problems.push(
      `routes: no route or custom domain serves ${host}, the host of PUBLIC_URL (for example ` +
        `routes = [{ pattern = "${host}", custom_domain = true }])`,
    )
  }
}
if (!wrangler.ratelimits.some((binding: { name: string }) => binding.name === 'BURST_LIMITER')) {
  problems.push('BURST_LIMITER: no [[ratelimits]] binding named "BURST_LIMITER"')
}
if (deployed && wrangler.triggers.crons.length === 0) {
  problems.push('triggers.crons: no cron trigger: undelivered mail would never be retried')
}

// The portal answers on the commune's domain only: a workers.dev address or a preview URL is a
// second copy a stranger can reach, outside the zone's WAF and rate-limiting rules (wrangler.toml).
if (deployed && wrangler.workers_dev !== false) {
  problems.push("workers_dev: must be false (the commune's domain is served through `routes`)")
}
if (deployed && wrangler.preview_urls !== false) {
  problems.push('preview_urls: must be false (no preview URL of the portal on workers.dev)')
}

const label = env ?? 'top level (development)'
if (problems.length > 0) {
  console.error(`${configPath} [${label}]: ${problems.length} problem(s)`)
  for (const problem of problems) console.error(`  - ${problem}`)
  process.exit(1)
}
console.log(`${configPath} [${label}]: configuration OK`)
if (deployed) {
  const secrets = requiredSecrets(vars).join(' and ')
  console.log(
    `  reminder: ${secrets} are secrets; check them with \`npm run secrets:check --${env ? ` --env ${env}` : ''}\``,
  )
}
