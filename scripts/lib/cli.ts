import { parseArgs } from 'node:util'
import { openPlatform, type Platform, type Target } from './platform'

/**
 * The options every ops command shares: --remote, --env NAME, --persist-to DIR. What npm kept for
 * itself (an option typed without `--` before it: `npm run families:import f.csv --dry-run` hands
 * `--dry-run` to npm, and the command would then write), or an option the command does not know,
 * stops it with one French line before anything runs.
 */
export function parseCommandLine(extra: Record<string, { type: 'boolean' | 'string' }> = {}) {
  const options = {
    remote: { type: 'boolean' as const, default: false },
    env: { type: 'string' as const },
    'persist-to': { type: 'string' as const },
    ...extra,
  }
  const swallowed = Object.keys(options).filter(
    (name) => process.env[`npm_config_${name.replaceAll('-', '_')}`] !== undefined,
  )
  if (swallowed.length > 0) {
    const command = process.env.npm_lifecycle_event ?? 'families:import'
    fail(
      `npm a gardé pour lui ${swallowed.map((name) => `--${name}`).join(', ')} : ajoutez « -- » ` +
        `avant le fichier et les options, par exemple npm run ${command} -- familles.csv --dry-run. ` +
        `Rien n’a été fait.`,
      2,
    )
  }
  let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof options }>>
  try {
    parsed = parseArgs({ allowPositionals: true, options })
  } catch (error) {
    const option = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? ''
    fail(
      `Option inconnue ou incomplète : ${option}. Options possibles : ` +
        `${Object.keys(options)
          .map((name) => `--${name}`)
          .join(', ')}. Rien n’a été fait.`,
      2,
    )
  }
  const { values, positionals } = parsed
  const target: Target = {
    remote: Boolean(values.remote),
    env: values.env as string | undefined,
    persistTo: values['persist-to'] as string | undefined,
  }
  return { values: values as Record<string, string | boolean | undefined>, positionals, target }
}

/**
 * One French line for what commonly goes wrong when an ops command reaches the database, with the
 * command to run next; never a stack trace. `maybeWritten`: the failure came while the writing batch
 * was under way, which D1 may have committed all the same.
 */
export function explainFailure(
  error: unknown,
  target: { remote: boolean; env?: string },
  maybeWritten = false,
): string {
  // drizzle wraps a failed query in an error whose message is the SQL and its parameters (family
  // numbers, names, addresses): only its cause, D1's own words, is read and shown.
  const root = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const message = root instanceof Error ? root.message : String(root)
  const env = target.env ? ` --env ${target.env}` : ''
  const outcome = maybeWritten
    ? 'L’import a peut-être été appliqué : relancez-le avec --dry-run pour le vérifier.'
    : 'Rien n’a été écrit.'
  if (/no such (table|column)/i.test(message)) {
    return target.remote
      ? `La base distante n’est pas migrée : lancez npx wrangler d1 migrations apply DB --remote${env}, puis relancez. ${outcome}`
      : `La base locale n’est pas migrée : lancez npm run db:migrate:local, puis relancez. ${outcome}`
  }
  if (/^Limite de D1/.test(message)) return `${message} ${outcome}`
  if (/^Configuration invalide/.test(message)) {
    return `${message}\nCorrigez wrangler.toml (npm run config:check --${env}), puis relancez. ${outcome}`
  }
  if (target.remote && /authenticat|login|CLOUDFLARE_API_TOKEN|\b1000[01]\b/i.test(message)) {
    return `Cloudflare refuse l’accès : lancez npx wrangler login, ou définissez CLOUDFLARE_API_TOKEN (un jeton limité à « D1 Edit », OPERATIONS.md). ${outcome}`
  }
  if (target.remote && /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|network/i.test(message)) {
    return `La base distante est injoignable (réseau ?). ${outcome} Relancez quand Cloudflare répond.`
  }
  return `Erreur inattendue : ${message.split('\n')[0]!.trim()}. ${outcome}`
}

/** Stops with a message on standard error and a non-zero status. */
export function fail(message: string, status = 1): never {
  console.error(message)
  process.exit(status)
}

export const where = (target: { remote: boolean; env?: string }) =>
  `${target.remote ? 'base distante' : 'base locale'}${target.env ? ` (${target.env})` : ''}`

/** The target's database and configuration, or one French line and exit 1. */
export async function openPlatformOrFail(target: Target): Promise<Platform> {
  try {
    return await openPlatform(target)
  } catch (error) {
    fail(explainFailure(error, target))
  }
}
