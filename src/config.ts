import * as z from 'zod'
import { assets } from './assets.gen'
import { FAMILY_NUMBER_LENGTH } from './family-number'
import {
  TEST_SECRET_PASSES,
  TEST_SITE_KEY,
  TURNSTILE_SCRIPT_URL,
  type ChallengeSettings,
} from './services/challenge'
import { parseCidr, type Cidr } from './services/client-key'
import { randomHex } from './services/crypto'
import { isAffordable, SCRYPT_MAX_MEMORY_BYTES } from './services/passwords'

// Every var of wrangler.toml, parsed once per isolate. Each default lives here, once: wrangler.toml lists
// only what a deployment must say (where it is, how it mails) and what a commune changes. Production
// refuses to start on a weak or missing value instead of falling back (PRODUCT.md §8).
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
const text = () => z.string().trim().min(1)

// Plausible for a laptop, refused in front of families.
const PUBLIC_SERVICE_SAMPLES = {
  COMMUNE_NAME: 'Commune de Villebelle (exemple)',
  PUBLISHER_ADDRESS: 'Hôtel de ville, 1 place de la Mairie, 00000 Villebelle (exemple)',
  PUBLICATION_DIRECTOR: 'Le maire de Villebelle (exemple)',
  DPO_CONTACT: 'dpo@villebelle.example, Hôtel de ville, 1 place de la Mairie, 00000 Villebelle',
} as const

// OWASP Password Storage cheat sheet: scrypt N=2^17 r=8 p=1, or equal-cost N=2^14 r=8 p=5 (fits 128 MB).
export const SCRYPT_FLOOR = { logN: 14, r: 8, p: 5 } as const

// A Zero Trust team name: letters, digits and hyphens, one DNS label.
const ACCESS_TEAM_DOMAIN_FORM =
  /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.cloudflareaccess\.com\/?$/

const configSchema = z.object({
  // No default: each deployment says what it is, where it is served and how it mails.
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']),
  PUBLIC_URL: z.url().transform((url) => url.replace(/\/+$/, '')),
  MAIL_PROVIDER: z.enum(['dev', 'http', 'cloudflare']),
  MAIL_FROM: z.string().trim().min(3),

  PORTAL_NAME: text().default('Portail Famille'),
  MAIL_API_URL: z.url().default('https://api.brevo.com/v3/smtp/email'),
  MAIL_API_KEY: z.string().min(1).optional(),
  MAIL_TIMEOUT_SECONDS: int(1, 60).default(10),
  CONTACT_TEXT: text().default(
    'Pour toute question, contactez le service Enfance de votre mairie.',
  ),
  IDENTIFIER_HELP: text().default(
    `Votre numéro de famille (${FAMILY_NUMBER_LENGTH} chiffres) figure en haut de vos factures.`,
  ),
  TEMPORARY_PASSWORD_TTL_MINUTES: int(5, 24 * 60).default(60),
  PASSWORD_MIN_LENGTH: int(8, 64).default(8),
  SCRYPT_LOG_N: int(1, 20).default(SCRYPT_FLOOR.logN),
  SCRYPT_R: int(1, 32).default(SCRYPT_FLOOR.r),
  SCRYPT_P: int(1, 16).default(SCRYPT_FLOOR.p),
  SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: int(1, 24 * 30).default(12),
  // Limits (PRODUCT.md §4, services/limits.ts).
  SIGNIN_FAILURES_PER_NUMBER: int(1, 1000).default(5),
  SIGNIN_FAILURES_PER_CLIENT: int(1, 100000).default(30),
  SIGNIN_WINDOW_MINUTES: int(1, 24 * 60).default(15),
  MAILS_PER_SUBJECT_PER_CLIENT_PER_HOUR: int(1, 100).default(3),
  MAILS_PER_CLIENT_PER_HOUR: int(1, 10_000).default(20),
  // At most one new temporary password per number per spacing (and one number mail per address): the
  // last one, still live, is in the family's mailbox. At most the TTL (toConfig).
  TEMPORARY_PASSWORD_SPACING_MINUTES: int(1, 24 * 60).default(15),
  // A commune of 20 000 families: a back-to-school evening asks a few hundred an hour.
  MAIL_BUDGET_PER_HOUR: int(1, 1_000_000).default(500),
  // The public-service pages (PRODUCT.md §10). Development shows sample values; staging and
  // production refuse them (deploymentProblems).
  COMMUNE_NAME: text().default(PUBLIC_SERVICE_SAMPLES.COMMUNE_NAME),
  PUBLISHER_ADDRESS: text().default(PUBLIC_SERVICE_SAMPLES.PUBLISHER_ADDRESS),
  PUBLICATION_DIRECTOR: text().default(PUBLIC_SERVICE_SAMPLES.PUBLICATION_DIRECTOR),
  DPO_CONTACT: text().default(PUBLIC_SERVICE_SAMPLES.DPO_CONTACT),
  ACCESSIBILITY_STATUS: z
    .enum(['non conforme', 'partiellement conforme', 'totalement conforme'])
    .default('non conforme'),
  // The date of the RGAA audit (YYYY-MM-DD); none means « aucun audit ».
  ACCESSIBILITY_AUDIT_DATE: z.iso.date().optional(),
  // Cloudflare Access in front of /agents (PRODUCT.md §11): the team domain
  // (https://<team>.cloudflareaccess.com) and the application's AUD tag. Required outside development.
  // Exactly the team's own origin: its /cdn-cgi/access/certs are the keys any agent token is checked
  // against, so no other host (nor a look-alike like https://x.cloudflareaccess.com.example) may serve them.
  ACCESS_TEAM_DOMAIN: z
    .string()
    .trim()
    .regex(
      ACCESS_TEAM_DOMAIN_FORM,
      'doit être de la forme https://<équipe>.cloudflareaccess.com / must be https://<team>.cloudflareaccess.com (e.g. https://ville-exemple.cloudflareaccess.com)',
    )
    .transform((url) => url.replace(/\/$/, ''))
    .optional(),
  ACCESS_AUD: z.string().trim().min(1).optional(),
  // Cloudflare Turnstile, offered past a per-client limit (services/challenge.ts). Development uses
  // the documented test keys and a local stand-in; a deployment without keys keeps the plain 429.
  TURNSTILE_SITE_KEY: z.string().trim().min(1).optional(),
  TURNSTILE_SECRET_KEY: z.string().min(1).optional(),
  TURNSTILE_SCRIPT_URL: z.url().default('https://challenges.cloudflare.com/turnstile/v0/api.js'),
  TURNSTILE_VERIFY_URL: z
    .url()
    .default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  // Networks the commune trusts (its town hall, its France services counter), as CIDR blocks
  // separated by commas or spaces: their per-client caps are ×10.
  TRUSTED_NETWORKS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const blocks = value.split(/[\s,]+/).filter(Boolean)
      const parsed = blocks.map(parseCidr)
      const bad = blocks.filter((_, index) => parsed[index] === null)
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `not a CIDR block: ${bad.join(', ')} (e.g. 192.0.2.0/24, 2001:db8:12::/48)`,
        })
        return z.NEVER
      }
      return parsed as Cidr[]
    }),
  // Secret: keys client networks and signs device cookies (services/client-key.ts, devices.ts).
  CLIENT_KEY_SECRET: z.string().min(32, 'at least 32 characters (openssl rand -hex 32)').optional(),
})

type RawConfig = z.infer<typeof configSchema>

// Random values cannot be drawn at a Worker's global scope: drawn on first use, once per isolate.
let developmentSecret: string | undefined
const developmentSecretOnce = () => (developmentSecret ??= randomHex(32))

export type Config = ReturnType<typeof toConfig>

function toConfig(raw: RawConfig) {
  return {
    environment: raw.ENVIRONMENT,
    publicUrl: raw.PUBLIC_URL,
    portalName: raw.PORTAL_NAME,
    contactText: raw.CONTACT_TEXT,
    identifierHelp: raw.IDENTIFIER_HELP,
    mail: {
      provider: raw.MAIL_PROVIDER,
      from: raw.MAIL_FROM,
      apiUrl: raw.MAIL_API_URL,
      apiKey: raw.MAIL_API_KEY,
      timeoutMs: raw.MAIL_TIMEOUT_SECONDS * 1000,
    },
    temporaryPasswordTtlMs: raw.TEMPORARY_PASSWORD_TTL_MINUTES * 60_000,
    passwordMinLength: raw.PASSWORD_MIN_LENGTH,
    scrypt: { logN: raw.SCRYPT_LOG_N, r: raw.SCRYPT_R, p: raw.SCRYPT_P },
    session: {
      idleMs: raw.SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: raw.SESSION_ABSOLUTE_HOURS * 3_600_000,
    },
    limits: {
      signInFailuresPerNumber: raw.SIGNIN_FAILURES_PER_NUMBER,
      signInFailuresPerClient: raw.SIGNIN_FAILURES_PER_CLIENT,
      signInWindowMs: raw.SIGNIN_WINDOW_MINUTES * 60_000,
      mailsPerSubjectPerClientPerHour: raw.MAILS_PER_SUBJECT_PER_CLIENT_PER_HOUR,
      mailsPerClientPerHour: raw.MAILS_PER_CLIENT_PER_HOUR,
      // Never longer than the TTL: the family would be left with no live password until it ended.
      temporaryPasswordSpacingMs:
        Math.min(raw.TEMPORARY_PASSWORD_SPACING_MINUTES, raw.TEMPORARY_PASSWORD_TTL_MINUTES) *
        60_000,
      mailBudgetPerHour: raw.MAIL_BUDGET_PER_HOUR,
    },
    publicService: {
      communeName: raw.COMMUNE_NAME,
      publisherAddress: raw.PUBLISHER_ADDRESS,
      publicationDirector: raw.PUBLICATION_DIRECTOR,
      dpoContact: raw.DPO_CONTACT,
      accessibilityStatus: raw.ACCESSIBILITY_STATUS,
      accessibilityAuditDate: raw.ACCESSIBILITY_AUDIT_DATE ?? null,
    },
    access:
      raw.ACCESS_TEAM_DOMAIN && raw.ACCESS_AUD
        ? { teamDomain: raw.ACCESS_TEAM_DOMAIN, audience: raw.ACCESS_AUD }
        : null,
    challenge: challengeSettings(raw),
    trustedNetworks: raw.TRUSTED_NETWORKS,
    // Development and tests may run without one: a random key per isolate stands in.
    clientKeySecret: raw.CLIENT_KEY_SECRET ?? developmentSecretOnce(),
  }
}

function challengeSettings(raw: RawConfig): ChallengeSettings | null {
  if (raw.TURNSTILE_SITE_KEY && raw.TURNSTILE_SECRET_KEY) {
    return {
      siteKey: raw.TURNSTILE_SITE_KEY,
      secretKey: raw.TURNSTILE_SECRET_KEY,
      scriptUrl: raw.TURNSTILE_SCRIPT_URL,
      verifyUrl: raw.TURNSTILE_VERIFY_URL,
    }
  }
  if (raw.ENVIRONMENT !== 'development') return null
  // The local stand-in (public/assets, services/challenge.ts): Cloudflare's script and siteverify
  // are out of reach here, so development keeps the same flow with the documented test keys.
  return {
    siteKey: TEST_SITE_KEY,
    secretKey: TEST_SECRET_PASSES,
    scriptUrl: assets.challengeStandIn,
    verifyUrl: null,
  }
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] }

/** Parses the environment's vars and secrets; lists every problem, each naming its variable. */
export function parseConfig(env: Record<string, unknown>): ConfigResult {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    }
  }
  const problems = [...scryptMemoryProblems(parsed.data), ...deploymentProblems(parsed.data)]
  if (parsed.data.MAIL_PROVIDER === 'cloudflare' && !env.EMAIL) {
    problems.push(
      'EMAIL: the [[send_email]] binding is required when MAIL_PROVIDER is "cloudflare"',
    )
  }
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, config: toConfig(parsed.data) }
}

// In every environment: a hash the isolate cannot afford fails sign-ins under load (services/passwords.ts).
function scryptMemoryProblems(raw: RawConfig): string[] {
  const params = { logN: raw.SCRYPT_LOG_N, r: raw.SCRYPT_R, p: raw.SCRYPT_P }
  if (isAffordable(params)) return []
  const mib = (128 * 2 ** params.logN * params.r) / 2 ** 20
  return [
    `SCRYPT_LOG_N: scrypt needs 128·N·r = ${mib} MiB per hash, over the ${SCRYPT_MAX_MEMORY_BYTES / 2 ** 20} MiB bound (e.g. N=2^14, r=8, p=5)`,
  ]
}

// What is tolerable on a laptop but never in front of families.
function deploymentProblems(raw: RawConfig): string[] {
  const problems: string[] = []
  if (raw.MAIL_PROVIDER === 'http' && (!raw.MAIL_API_URL || !raw.MAIL_API_KEY)) {
    problems.push('MAIL_API_KEY: required (with MAIL_API_URL) when MAIL_PROVIDER is "http"')
  }
  // The API key travels with every call: only over TLS, except to a fake on a developer's machine.
  if (
    raw.MAIL_PROVIDER === 'http' &&
    raw.ENVIRONMENT !== 'development' &&
    raw.MAIL_API_URL &&
    !raw.MAIL_API_URL.startsWith('https://')
  ) {
    problems.push('MAIL_API_URL: must be an https:// address outside development')
  }
  if (Boolean(raw.TURNSTILE_SITE_KEY) !== Boolean(raw.TURNSTILE_SECRET_KEY)) {
    problems.push(
      'TURNSTILE_SITE_KEY: set it with the secret TURNSTILE_SECRET_KEY, both or neither (the Turnstile widget of the portal)',
    )
  }
  if (raw.ACCESSIBILITY_STATUS !== 'non conforme' && !raw.ACCESSIBILITY_AUDIT_DATE) {
    problems.push(
      `ACCESSIBILITY_AUDIT_DATE: required to declare the site "${raw.ACCESSIBILITY_STATUS}" (RGAA: only an audit can say so)`,
    )
  }
  if (raw.ENVIRONMENT !== 'production' && raw.ENVIRONMENT !== 'staging') return problems
  if (!raw.ACCESS_TEAM_DOMAIN || !raw.ACCESS_AUD) {
    problems.push(
      'ACCESS_TEAM_DOMAIN: the Cloudflare Access team domain and ACCESS_AUD (the application AUD tag) are required for /agents',
    )
  }
  for (const [name, sample] of Object.entries(PUBLIC_SERVICE_SAMPLES)) {
    if (raw[name as keyof typeof PUBLIC_SERVICE_SAMPLES] === sample) {
      problems.push(
        `${name}: still the development sample "${sample}"; the commune's own is required`,
      )
    }
  }
  if (!raw.PUBLIC_URL.startsWith('https://')) {
    problems.push('PUBLIC_URL: must be an https:// address outside development')
  }
  if (!raw.CLIENT_KEY_SECRET) {
    problems.push(
      'CLIENT_KEY_SECRET: required outside development (wrangler secret put CLIENT_KEY_SECRET)',
    )
  }
  if (raw.MAIL_PROVIDER === 'dev') {
    problems.push('MAIL_PROVIDER: "dev" keeps mails in the database; use "http" or "cloudflare"')
  }
  const cost = 2 ** raw.SCRYPT_LOG_N * raw.SCRYPT_R * raw.SCRYPT_P
  const floor = 2 ** SCRYPT_FLOOR.logN * SCRYPT_FLOOR.r * SCRYPT_FLOOR.p
  if (cost < floor || raw.SCRYPT_R < SCRYPT_FLOOR.r) {
    problems.push('SCRYPT_LOG_N: scrypt cost below the OWASP floor (N=2^14, r=8, p=5)')
  }
  return problems
}

const cache = new WeakMap<object, ConfigResult>()

/** The parsed config for this isolate's env object (parsed on first use only). */
export function configFor(env: object): ConfigResult {
  let result = cache.get(env)
  if (!result) {
    result = parseConfig(env as Record<string, unknown>)
    cache.set(env, result)
  }
  return result
}
