import { assets } from '../assets.gen'
import {
  TEST_SECRET_PASSES,
  TEST_SITE_KEY,
  TURNSTILE_SCRIPT_URL,
  type ChallengeSettings,
} from '../services/challenge'
import { randomHex } from '../services/crypto'
import type { Settings } from '../services/settings'

import { deploymentProblems, scryptMemoryProblems } from './problems'
import { configSchema, type RawConfig } from './schema'

export { SCRYPT_FLOOR } from './schema'

// Random values cannot be drawn at a Worker's global scope: drawn on first use, once per isolate.
let developmentSecret: string | undefined
const developmentSecretOnce = () => (developmentSecret ??= randomHex(32))

export type Config = Settings

function toConfig(raw: RawConfig): Settings {
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
    hashing: { slots: raw.HASH_CONCURRENCY, queueMax: raw.HASH_QUEUE_MAX },
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
    // The agents' domains, for Access identities and, in development, for the stand-in identity.
    agentEmailDomains: raw.AGENT_EMAIL_DOMAINS,
    access:
      raw.ACCESS_TEAM_DOMAIN && raw.ACCESS_AUD
        ? {
            teamDomain: raw.ACCESS_TEAM_DOMAIN,
            audience: raw.ACCESS_AUD,
            emailDomains: raw.AGENT_EMAIL_DOMAINS,
          }
        : null,
    franceConnect:
      raw.FRANCECONNECT_ISSUER && raw.FRANCECONNECT_CLIENT_ID && raw.FRANCECONNECT_CLIENT_SECRET
        ? {
            issuer: raw.FRANCECONNECT_ISSUER,
            clientId: raw.FRANCECONNECT_CLIENT_ID,
            clientSecret: raw.FRANCECONNECT_CLIENT_SECRET,
          }
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
      scriptUrl: TURNSTILE_SCRIPT_URL,
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
