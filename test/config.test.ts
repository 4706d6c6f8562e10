import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config'
import { DEPLOYMENT_FACTS } from './support/helpers'

const production = {
  ENVIRONMENT: 'production',
  PUBLIC_URL: 'https://famille.ville-exemple.fr/',
  PORTAL_NAME: 'Portail Famille',
  MAIL_PROVIDER: 'http',
  MAIL_FROM: 'Portail Famille <ne-pas-repondre@ville-exemple.fr>',
  MAIL_API_URL: 'https://api.brevo.com/v3/smtp/email',
  MAIL_API_KEY: 'xkeysib-secret',
  MAIL_TIMEOUT_SECONDS: '10',
  CONTACT_TEXT: 'Service Enfance : 01 23 45 67 89',
  IDENTIFIER_HELP: 'Sur vos factures.',
  TEMPORARY_PASSWORD_TTL_MINUTES: '60',
  PASSWORD_MIN_LENGTH: '9',
  SCRYPT_LOG_N: '14',
  SCRYPT_R: '8',
  SCRYPT_P: '5',
  SESSION_IDLE_MINUTES: '30',
  SESSION_ABSOLUTE_HOURS: '12',
  SIGNIN_FAILURES_PER_NUMBER: '5',
  SIGNIN_FAILURES_PER_CLIENT: '30',
  SIGNIN_WINDOW_MINUTES: '15',
  CLIENT_KEY_SECRET: 'a-production-secret-of-64-hex-characters-0123456789abcdef0123456',
  ...DEPLOYMENT_FACTS,
}

const problemsOf = (overrides: Record<string, unknown>) => {
  const result = parseConfig({ ...production, ...overrides })
  return result.ok ? [] : result.problems
}

describe('the configuration schema', () => {
  it('accepts a complete production configuration and turns it into typed settings', () => {
    const result = parseConfig(production)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config.publicUrl).toBe('https://famille.ville-exemple.fr')
    expect(result.config.temporaryPasswordTtlMs).toBe(3_600_000)
    expect(result.config.scrypt).toEqual({ logN: 14, r: 8, p: 5 })
    expect(result.config.passwordMinLength).toBe(9)
    // The limits added later have their defaults in the schema, not in every wrangler environment.
    expect(result.config.limits).toMatchObject({
      mailsPerSubjectPerClientPerHour: 3,
      mailsPerClientPerHour: 20,
      temporaryPasswordSpacingMs: 15 * 60_000,
      mailBudgetPerHour: 500,
    })
  })

  it.each([
    [{ PUBLIC_URL: undefined }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'http://famille.ville-exemple.fr' }, 'PUBLIC_URL'],
    [{ MAIL_PROVIDER: 'dev' }, 'MAIL_PROVIDER'],
    [{ MAIL_PROVIDER: 'smtp' }, 'MAIL_PROVIDER'],
    [{ MAIL_API_KEY: undefined }, 'MAIL_API_KEY'],
    [{ MAIL_PROVIDER: 'cloudflare' }, 'EMAIL'],
    [{ SCRYPT_LOG_N: '13' }, 'SCRYPT_LOG_N'],
    [{ SCRYPT_P: '1' }, 'SCRYPT_LOG_N'],
    [{ PASSWORD_MIN_LENGTH: '6' }, 'PASSWORD_MIN_LENGTH'],
    [{ SESSION_IDLE_MINUTES: 'trente' }, 'SESSION_IDLE_MINUTES'],
    [{ ENVIRONMENT: 'prod' }, 'ENVIRONMENT'],
    [{ CLIENT_KEY_SECRET: undefined }, 'CLIENT_KEY_SECRET'],
    [{ ACCESS_AUD: undefined }, 'ACCESS_TEAM_DOMAIN'],
    [{ MAIL_API_URL: 'http://api.brevo.com/v3/smtp/email' }, 'MAIL_API_URL'],
    [{ ENVIRONMENT: 'test', MAIL_API_URL: 'http://mail.internal/send' }, 'MAIL_API_URL'],
    [{ CLIENT_KEY_SECRET: 'short' }, 'CLIENT_KEY_SECRET'],
    [{ ACCESS_TEAM_DOMAIN: 'https://ville-exemple.example.org' }, 'ACCESS_TEAM_DOMAIN'],
    [{ ACCESS_TEAM_DOMAIN: 'http://ville-exemple.cloudflareaccess.com' }, 'ACCESS_TEAM_DOMAIN'],
    [
      { ACCESS_TEAM_DOMAIN: 'https://ville-exemple.cloudflareaccess.com.evil.example' },
      'ACCESS_TEAM_DOMAIN',
    ],
    [{ ACCESS_TEAM_DOMAIN: 'https://a.b.cloudflareaccess.com' }, 'ACCESS_TEAM_DOMAIN'],
    [
      { ACCESS_TEAM_DOMAIN: 'https://ville-exemple.cloudflareaccess.com/cdn-cgi' },
      'ACCESS_TEAM_DOMAIN',
    ],
  ])('refuses %o, naming %s', (overrides, variable) => {
    expect(problemsOf(overrides).some((problem) => problem.startsWith(`${variable}:`))).toBe(true)
  })

  it('lists every problem at once', () => {
    expect(
      problemsOf({ PUBLIC_URL: 'pas une adresse', SCRYPT_R: '0', CONTACT_TEXT: '' }),
    ).toHaveLength(3)
  })

  it('lets development use the dev mailbox, plain http and a cheap hash', () => {
    const result = parseConfig({
      ...production,
      ENVIRONMENT: 'development',
      PUBLIC_URL: 'http://127.0.0.1:8787',
      MAIL_PROVIDER: 'dev',
      SCRYPT_LOG_N: '10',
      SCRYPT_P: '1',
    })
    expect(result.ok).toBe(true)
  })

  it('accepts the Access team domain only as https://<team>.cloudflareaccess.com, and says so with an example', () => {
    const [problem] = problemsOf({ ACCESS_TEAM_DOMAIN: 'https://access.ville-exemple.fr' })
    expect(problem).toContain('https://<équipe>.cloudflareaccess.com')
    expect(problem).toContain('e.g. https://ville-exemple.cloudflareaccess.com')
    const result = parseConfig({
      ...production,
      ACCESS_TEAM_DOMAIN: 'https://ville-exemple.cloudflareaccess.com/',
    })
    expect(result.ok && result.config.access?.teamDomain).toBe(
      'https://ville-exemple.cloudflareaccess.com',
    )
  })

  it.each([
    [{ SCRYPT_LOG_N: '16', SCRYPT_R: '8', SCRYPT_P: '1' }, '64 MiB'],
    [{ SCRYPT_LOG_N: '15', SCRYPT_R: '16', SCRYPT_P: '1' }, '64 MiB'],
    [{ SCRYPT_LOG_N: '20', SCRYPT_R: '8', SCRYPT_P: '1' }, '1024 MiB'],
  ])(
    'refuses scrypt settings over 32 MiB a hash, in production and development: %o',
    (scrypt, size) => {
      for (const environment of [{}, { ENVIRONMENT: 'development', MAIL_PROVIDER: 'dev' }]) {
        const [problem] = problemsOf({ ...environment, ...scrypt })
        expect(problem).toMatch(/^SCRYPT_LOG_N: /)
        expect(problem).toContain(`${size} per hash, over the 32 MiB bound`)
      }
    },
  )

  it('takes FranceConnect with its issuer, client id and secret together, over https, or not at all', () => {
    const franceConnect = {
      FRANCECONNECT_ISSUER: 'https://fcp-low.sbx.dev-franceconnect.fr/api/v2/',
      FRANCECONNECT_CLIENT_ID: 'client-id-from-datapass',
      FRANCECONNECT_CLIENT_SECRET: 'a-secret',
    }
    const result = parseConfig({ ...production, ...franceConnect })
    expect(result.ok && result.config.franceConnect).toEqual({
      issuer: 'https://fcp-low.sbx.dev-franceconnect.fr/api/v2',
      clientId: 'client-id-from-datapass',
      clientSecret: 'a-secret',
    })
    const without = parseConfig(production)
    expect(without.ok && without.config.franceConnect).toBeNull()
    expect(problemsOf({ ...franceConnect, FRANCECONNECT_CLIENT_SECRET: undefined })).toEqual([
      expect.stringMatching(/^FRANCECONNECT_ISSUER: .*all three or none/),
    ])
    expect(
      problemsOf({ ...franceConnect, FRANCECONNECT_ISSUER: 'http://fc.example/api/v2' }),
    ).toEqual([expect.stringMatching(/^FRANCECONNECT_ISSUER: must be an https:\/\/ address/)])
  })

  it('takes AGENT_EMAIL_DOMAINS as a list of domains, lowercased, and refuses anything else', () => {
    const result = parseConfig({ ...production, AGENT_EMAIL_DOMAINS: 'Ville-Exemple.fr mairie.fr' })
    expect(result.ok && result.config.access?.emailDomains).toEqual([
      'ville-exemple.fr',
      'mairie.fr',
    ])
    expect(problemsOf({ AGENT_EMAIL_DOMAINS: '@ville-exemple.fr' })).toEqual([
      expect.stringMatching(/^AGENT_EMAIL_DOMAINS: not an e-mail domain: @ville-exemple\.fr/),
    ])
  })

  it('accepts the largest hash that fits, N=2^15 with r=8 (32 MiB)', () => {
    expect(problemsOf({ SCRYPT_LOG_N: '15', SCRYPT_R: '8', SCRYPT_P: '3' })).toEqual([])
  })
})
