// One small interface in front of every way of delivering mail (docs/mail.md).
export type OutgoingMail = {
  from: string
  to: string
  subject: string
  text: string
  html: string
  // A UUID, stable per outbox row: a provider that supports it drops a retried duplicate.
  idempotencyKey: string
}

export type SendResult =
  | { ok: true }
  // `retryable`: 429, 5xx, network failure or time-out. Otherwise (bad address, auth) retrying is useless.
  // `quota`: the provider refused for want of credits or rate (429, 402): retried, never given up.
  // `keyRefused`: the provider refused the API key (401): retried until the mail expires, since a key
  // that worked before may only be blocked for the moment (delivery.ts says which).
  | { ok: false; retryable: boolean; reason: string; quota?: boolean; keyRefused?: boolean }

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendResult>
}

/** `"Portail Famille <x@example.org>"` → name and address; a bare address has no name. */
export function parseAddress(value: string): { name?: string; email: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(value)
  if (!match) return { email: value.trim() }
  return match[1]
    ? { name: match[1].replace(/^"|"$/g, ''), email: match[2]! }
    : { email: match[2]! }
}
