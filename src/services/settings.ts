import type { AccessSettings } from './agent-access'
import type { ChallengeSettings } from './challenge'
import type { Cidr } from './client-key'
import type { HashGateSettings } from './hash-gate'
import type { ScryptParams } from './passwords'

// What the domain needs to know of the deployment, in the domain's own terms. src/config.ts builds it
// from the environment's vars and secrets; nothing under services/ reads the environment itself.
export type Settings = {
  environment: 'development' | 'test' | 'staging' | 'production'
  publicUrl: string
  portalName: string
  contactText: string
  identifierHelp: string
  mail: {
    provider: 'dev' | 'http' | 'cloudflare'
    from: string
    apiUrl: string
    apiKey: string | undefined
    timeoutMs: number
  }
  temporaryPasswordTtlMs: number
  passwordMinLength: number
  scrypt: ScryptParams
  hashing: HashGateSettings
  session: { idleMs: number; absoluteMs: number }
  limits: {
    signInFailuresPerNumber: number
    signInFailuresPerClient: number
    signInWindowMs: number
    mailsPerSubjectPerClientPerHour: number
    mailsPerClientPerHour: number
    temporaryPasswordSpacingMs: number
    mailBudgetPerHour: number
  }
  publicService: {
    communeName: string
    publisherAddress: string
    publicationDirector: string
    dpoContact: string
    accessibilityStatus: 'non conforme' | 'partiellement conforme' | 'totalement conforme'
    accessibilityAuditDate: string | null
  }
  access: AccessSettings | null
  // AGENT_EMAIL_DOMAINS: empty when any Access identity is an agent.
  agentEmailDomains: string[]
  // FranceConnect v2, when the commune has its habilitation (docs/franceconnect.md); null otherwise.
  franceConnect: { issuer: string; clientId: string; clientSecret: string } | null
  challenge: ChallengeSettings | null
  trustedNetworks: Cidr[]
  clientKeySecret: string
}
