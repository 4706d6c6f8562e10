import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../../db/client'
import type { ClientNetwork } from '../client-key'
import { countAttemptStatement } from '../records/attempt-counters'
import type { Settings as Config } from '../settings'
import { logMailBudgetExhausted } from './once-an-hour'
import {
  countAll,
  HOUR_MS,
  limitedOnly,
  limitKey,
  limitState,
  perNetwork,
  type Limit,
} from './counter'

/** What a mail is about: a family number, or an e-mail address (already normalised). */
export type MailSubject = { familyNumber: string } | { email: string }
const subjectOf = (subject: MailSubject) =>
  'familyNumber' in subject ? `number:${subject.familyNumber}` : `email:${subject.email}`

/**
 * The limits a client meets before a mail is even considered: per (subject, client network) and per
 * client network, each hourly.
 */
export function mailRequestLimited(
  db: Db,
  config: Config,
  input: {
    subject: MailSubject
    clientKey: string
    networks: ClientNetwork[]
    challengeSolved?: boolean
  },
  now: number,
) {
  const hourly = (max: number): Limit => ({ max, windowMs: HOUR_MS, escalates: true })
  const { mailsPerSubjectPerClientPerHour, mailsPerClientPerHour } = config.limits
  const networks = input.challengeSolved ? [] : input.networks
  const checks = [
    ...perNetwork(
      'mail-subject-client',
      networks,
      hourly(mailsPerSubjectPerClientPerHour),
      'mail per subject and client',
      subjectOf(input.subject),
    ),
    ...perNetwork('mail-client', networks, hourly(mailsPerClientPerHour), 'mail per client'),
  ]
  return limitedOnly(countAll(db, checks, input.clientKey, now))
}

/**
 * One mail per subject per spacing, counted after the answer has left, with the read the caller needs
 * next (`alongside`) in the same round trip. Inside the spacing the last mail, still in the mailbox,
 * is enough; after it a request always goes, whoever asked before: a stranger cannot use up the
 * family's requests (a temporary password's own spacing is in records/temporary-passwords.ts). `allowed`: the
 * mail may go.
 */
export async function countMailSpacing<Alongside>(
  db: Db,
  config: Config,
  input: { subject: MailSubject; clientKey: string },
  now: number,
  alongside: BatchItem<'sqlite'> & PromiseLike<Alongside>,
): Promise<{ allowed: boolean; alongside: Alongside }> {
  const check = {
    key: limitKey('mail-spacing', subjectOf(input.subject)),
    limit: { max: 1, windowMs: config.limits.temporaryPasswordSpacingMs, escalates: false },
    detail: 'mail spacing',
  }
  const counted = await countAll(db, [check], input.clientKey, now, alongside)
  return { allowed: counted.limited === null, alongside: counted.alongside }
}

// An agent's clicks mail the family too: a few an hour is all a phone call needs.
const AGENT_MAILS_PER_FAMILY_PER_HOUR = 3

/** Counts an agent's temporary-password mail to a family: 3 an hour per family, then wait. */
export function agentMailLimited(db: Db, familyNumber: string, agentKey: string, now: number) {
  const check = {
    key: limitKey('agent-mail', familyNumber),
    limit: { max: AGENT_MAILS_PER_FAMILY_PER_HOUR, windowMs: HOUR_MS, escalates: false },
    detail: 'agent mails per family',
  }
  return limitedOnly(countAll(db, [check], agentKey, now))
}

export type MailBudget = { allowed: true } | { allowed: false; retryAfterMs: number }

/**
 * The global hourly budget that protects the commune's provider quota, taken by each mail of the
 * public forms right before it is sent. When spent, the mail waits for the next hour in the outbox
 * (never dropped) and one `mail_budget_exhausted` line an hour tells ops.
 */
export async function takeMailBudget(db: Db, perHour: number, now: number): Promise<MailBudget> {
  const limit: Limit = { max: perHour, windowMs: HOUR_MS, escalates: false }
  const [rows] = await db.batch([
    countAttemptStatement(db, limitKey('mail-budget', 'all'), limit, now),
  ])
  const state = limitState(rows[0], now)
  if (!state.limited) return { allowed: true }
  await logMailBudgetExhausted(db, 'global budget', now)
  return { allowed: false, retryAfterMs: state.retryAfterMs }
}
