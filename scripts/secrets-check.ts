// npm run secrets:check -- --env production (run by `npm run deploy` before anything is deployed)
// The Worker refuses to serve without its secrets (a 503 on every page): a forgotten
// `wrangler secret put` must stop the deployment, not be found by the families. Asks Cloudflare for
// the environment's secret names (`wrangler secret list`, names only, never values).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { unstable_readConfig } from 'wrangler'
import { fail, parseCommandLine } from './lib/cli'
import { requiredSecrets } from './lib/secrets'
import { projectBin, projectRoot, toolEnv } from './lib/wrangler'

const { target } = parseCommandLine()
const env = target.env
const vars = unstable_readConfig({ env }, { hideWarnings: true }).vars as Record<string, unknown>
const required = requiredSecrets(vars)

const listing = spawnSync(
  join(projectBin, 'wrangler'),
  ['secret', 'list', '--format', 'json', ...(env ? ['--env', env] : [])],
  { cwd: projectRoot, encoding: 'utf8', env: toolEnv },
)
let listed: string[]
try {
  listed = (JSON.parse(listing.stdout) as Array<{ name: string }>).map((secret) => secret.name)
} catch {
  fail(
    `Impossible de lire les secrets de ${env ?? 'l’environnement par défaut'} chez Cloudflare ` +
      `(npx wrangler login, ou CLOUDFLARE_API_TOKEN) : rien n’a été déployé.`,
  )
}
const missing = required.filter((name) => !listed.includes(name))
if (missing.length > 0) {
  fail(
    `Secret(s) manquant(s) pour ${env ?? 'l’environnement par défaut'} : ${missing.join(', ')}. ` +
      `Le Worker répondrait 503 partout. ${missing
        .map((name) => `npm exec -- wrangler secret put ${name}${env ? ` --env ${env}` : ''}`)
        .join(' ; ')}, puis relancez. Rien n’a été déployé.`,
  )
}
console.log(`Secrets de ${env ?? 'l’environnement par défaut'} : ${required.join(', ')} présents.`)
