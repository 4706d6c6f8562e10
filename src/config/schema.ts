import * as z from 'zod/mini'
import { FAMILY_NUMBER_LENGTH } from '../family-number'
import { parseCidr, type Cidr } from '../services/client-key'

// zod/mini loads no language, and the Worker loads none either (2.7 KB of words for errors it never
// shows a family): its /healthz says « Invalid input » where a field has no message of its own here.
// `npm run config:check`, run before every deployment, loads zod's English (scripts/config-check.ts).

// Every var of wrangler.toml, parsed once per isolate. Each default lives here, once: wrangler.toml lists
// only what a deployment must say (where it is, how it mails) and what a commune changes. Production
// refuses to start on a weak or missing value instead of falling back (README.md, Configuration).
// int(min, max, default), text(default), url(default): a var left out takes its default.
const int = (min: number, max: number, byDefault: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), byDefault)
const text = (byDefault: string) =>
  z._default(z.string().check(z.trim(), z.minLength(1)), byDefault)
const trimmed = (min: number) => z.string().check(z.trim(), z.minLength(min))
const url = (byDefault: string) => z._default(z.url(), byDefault)

// Plausible for a laptop, refused in front of families.
export const PUBLIC_SERVICE_SAMPLES = {
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

export const configSchema = z.object({
  // No default: each deployment says what it is, where it is served and how it mails.
  ENVIRONMENT: z.enum(['development', 'test', 'staging', 'production']),
  PUBLIC_URL: z.pipe(
    z.url(),
    z.transform((url) => url.replace(/\/+$/, '')),
  ),
  MAIL_PROVIDER: z.enum(['dev', 'http', 'cloudflare']),
  MAIL_FROM: trimmed(3),

  PORTAL_NAME: text('Portail Famille'),
  MAIL_API_URL: url('https://api.brevo.com/v3/smtp/email'),
  MAIL_API_KEY: z.optional(z.string().check(z.minLength(1))),
  MAIL_TIMEOUT_SECONDS: int(1, 60, 10),
  CONTACT_TEXT: text('Pour toute question, contactez le service Enfance de votre mairie.'),
  IDENTIFIER_HELP: text(
    `Votre numéro de famille (${FAMILY_NUMBER_LENGTH} chiffres) figure en haut de vos factures.`,
  ),
  TEMPORARY_PASSWORD_TTL_MINUTES: int(5, 24 * 60, 60),
  PASSWORD_MIN_LENGTH: int(8, 64, 8),
  SCRYPT_LOG_N: int(1, 20, SCRYPT_FLOOR.logN),
  SCRYPT_R: int(1, 32, SCRYPT_FLOOR.r),
  SCRYPT_P: int(1, 16, SCRYPT_FLOOR.p),
  // Hashes at once per isolate (16 MiB each at the default cost), and sign-ins allowed to wait for one.
  HASH_CONCURRENCY: int(1, 6, 2),
  HASH_QUEUE_MAX: int(0, 10_000, 64),
  SESSION_IDLE_MINUTES: int(1, 24 * 60, 30),
  SESSION_ABSOLUTE_HOURS: int(1, 24 * 30, 12),
  // Limits (docs/limits.md, services/limits/).
  SIGNIN_FAILURES_PER_NUMBER: int(1, 1000, 5),
  SIGNIN_FAILURES_PER_CLIENT: int(1, 100000, 30),
  SIGNIN_WINDOW_MINUTES: int(1, 24 * 60, 15),
  MAILS_PER_SUBJECT_PER_CLIENT_PER_HOUR: int(1, 100, 3),
  MAILS_PER_CLIENT_PER_HOUR: int(1, 10_000, 20),
  // At most one new temporary password per number per spacing (and one number mail per address): the
  // last one, still live, is in the family's mailbox. At most the TTL (toConfig).
  TEMPORARY_PASSWORD_SPACING_MINUTES: int(1, 24 * 60, 15),
  // A commune of 20 000 families: a back-to-school evening asks a few hundred an hour.
  MAIL_BUDGET_PER_HOUR: int(1, 1_000_000, 500),
  // The public-service pages (docs/public-service-pages.md). Development shows sample values; staging and
  // production refuse them (deploymentProblems).
  COMMUNE_NAME: text(PUBLIC_SERVICE_SAMPLES.COMMUNE_NAME),
  PUBLISHER_ADDRESS: text(PUBLIC_SERVICE_SAMPLES.PUBLISHER_ADDRESS),
  PUBLICATION_DIRECTOR: text(PUBLIC_SERVICE_SAMPLES.PUBLICATION_DIRECTOR),
  DPO_CONTACT: text(PUBLIC_SERVICE_SAMPLES.DPO_CONTACT),
  ACCESSIBILITY_STATUS: z._default(
    z.enum(['non conforme', 'partiellement conforme', 'totalement conforme']),
    'non conforme',
  ),
  // The date of the RGAA audit (YYYY-MM-DD); none means « aucun audit ».
  ACCESSIBILITY_AUDIT_DATE: z.optional(z.iso.date()),
  // Cloudflare Access in front of /agents (docs/agents-console.md): the team domain
  // (https://<team>.cloudflareaccess.com) and the application's AUD tag. Required outside development.
  // Exactly the team's own origin: its /cdn-cgi/access/certs are the keys any agent token is checked
  // against, so no other host (nor a look-alike like https://x.cloudflareaccess.com.example) may serve them.
  ACCESS_TEAM_DOMAIN: z.optional(
    z.pipe(
      z
        .string()
        .check(
          z.trim(),
          z.regex(
            ACCESS_TEAM_DOMAIN_FORM,
            'doit être de la forme https://<équipe>.cloudflareaccess.com / must be https://<team>.cloudflareaccess.com (e.g. https://ville-exemple.cloudflareaccess.com)',
          ),
        ),
      z.transform((url) => url.replace(/\/$/, '')),
    ),
  ),
  ACCESS_AUD: z.optional(trimmed(1)),
  // Optional: the e-mail domains of the commune's agents (e.g. "ville-exemple.fr"), separated by
  // commas or spaces. Any other Access identity is refused with 403 (docs/agents-console.md).
  AGENT_EMAIL_DOMAINS: z.pipe(
    z._default(z.string(), ''),
    z.transform((value, payload) => {
      const domains = value
        .toLowerCase()
        .split(/[\s,]+/)
        .filter(Boolean)
      const bad = domains.filter(
        (domain) => !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain),
      )
      if (bad.length > 0) {
        payload.issues.push({
          code: 'custom',
          input: value,
          message: `not an e-mail domain: ${bad.join(', ')} (e.g. ville-exemple.fr)`,
        })
        return z.NEVER
      }
      return domains
    }),
  ),
  // FranceConnect v2 (docs/franceconnect.md): the issuer (integration or production) and the client id
  // DataPass gave the commune; the secret comes with them (`wrangler secret put`). All three or none.
  FRANCECONNECT_ISSUER: z.optional(
    z.pipe(
      trimmed(1),
      z.transform((issuer) => issuer.replace(/\/$/, '')),
    ),
  ),
  FRANCECONNECT_CLIENT_ID: z.optional(trimmed(1)),
  FRANCECONNECT_CLIENT_SECRET: z.optional(z.string().check(z.minLength(1))),
  // Cloudflare Turnstile, offered past a per-client limit (services/challenge.ts). Development uses
  // the documented test keys and a local stand-in; a deployment without keys keeps the plain 429.
  TURNSTILE_SITE_KEY: z.optional(trimmed(1)),
  TURNSTILE_SECRET_KEY: z.optional(z.string().check(z.minLength(1))),
  TURNSTILE_VERIFY_URL: url('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  // Networks the commune trusts (its town hall, its France services counter), as CIDR blocks
  // separated by commas or spaces: their per-client caps are ×10.
  TRUSTED_NETWORKS: z.pipe(
    z._default(z.string(), ''),
    z.transform((value, payload) => {
      const blocks = value.split(/[\s,]+/).filter(Boolean)
      const parsed = blocks.map(parseCidr)
      const bad = blocks.filter((_, index) => parsed[index] === null)
      if (bad.length > 0) {
        payload.issues.push({
          code: 'custom',
          input: value,
          message: `not a CIDR block: ${bad.join(', ')} (e.g. 192.0.2.0/24, 2001:db8:12::/48)`,
        })
        return z.NEVER
      }
      return parsed as Cidr[]
    }),
  ),
  // Secret: keys client networks and signs device cookies (services/client-key.ts, devices.ts).
  CLIENT_KEY_SECRET: z.optional(
    z.string().check(z.minLength(32, 'at least 32 characters (openssl rand -hex 32)')),
  ),
})

export type RawConfig = z.infer<typeof configSchema>
