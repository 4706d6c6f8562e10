import { isAffordable, SCRYPT_MAX_MEMORY_BYTES } from '../services/passwords'
import { PUBLIC_SERVICE_SAMPLES, SCRYPT_FLOOR, type RawConfig } from './schema'

// In every environment: a hash the isolate cannot afford fails sign-ins under load (services/passwords.ts).
export function scryptMemoryProblems(raw: RawConfig): string[] {
  const params = { logN: raw.SCRYPT_LOG_N, r: raw.SCRYPT_R, p: raw.SCRYPT_P }
  if (isAffordable(params)) return []
  const mib = (128 * 2 ** params.logN * params.r) / 2 ** 20
  return [
    `SCRYPT_LOG_N: scrypt needs 128·N·r = ${mib} MiB per hash, over the ${SCRYPT_MAX_MEMORY_BYTES / 2 ** 20} MiB bound (e.g. N=2^14, r=8, p=5)`,
  ]
}

// FranceConnect: the issuer, the client id and the secret together or not at all, the issuer over TLS
// (its keys sign the identities the portal trusts); a provider on this machine in development only.
export function franceConnectProblems(raw: RawConfig): string[] {
  const given = [
    raw.FRANCECONNECT_ISSUER,
    raw.FRANCECONNECT_CLIENT_ID,
    raw.FRANCECONNECT_CLIENT_SECRET,
  ]
  const set = given.filter(Boolean).length
  if (set === 0) return []
  const problems: string[] = []
  if (set !== 3) {
    problems.push(
      'FRANCECONNECT_ISSUER: set it with FRANCECONNECT_CLIENT_ID and the secret FRANCECONNECT_CLIENT_SECRET, all three or none',
    )
  }
  const issuer = raw.FRANCECONNECT_ISSUER
  const local = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(issuer ?? '')
  if (issuer && !issuer.startsWith('https://') && !(local && raw.ENVIRONMENT === 'development')) {
    problems.push(
      'FRANCECONNECT_ISSUER: must be an https:// address (e.g. https://fcp-low.sbx.dev-franceconnect.fr/api/v2 for the integration environment)',
    )
  }
  return problems
}

// What is tolerable on a laptop but never in front of families.
export function deploymentProblems(raw: RawConfig): string[] {
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
  problems.push(...franceConnectProblems(raw))
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
