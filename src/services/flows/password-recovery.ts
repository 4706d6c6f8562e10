import { fenceNot, fencedBatch } from '../../db/fenced-batch'
import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import type { Family } from '../records/families'
import { temporaryPasswordMail } from '../mail/templates'
import { findFamilyByNumber } from '../records/families'
import { enqueueMailStatements, withdrawPendingMailsStatement } from '../records/outbox'
import { recordEventStatement } from '../records/security-events'
import {
  generateTemporaryPassword,
  issueTemporaryPasswordStatements,
} from '../records/temporary-passwords'

export const loginUrl = (config: Config) => `${config.publicUrl}/connexion`

/**
 * Steps 2-3: issues a temporary password and puts its mail in the outbox, in one batch. The current
 * password is not touched, so a stranger who knows a number cannot lock the family out (docs/limits.md).
 * Spaced, not capped: inside the spacing nothing new is issued (the last mail, still live, is in the
 * family's mailbox); after it a request always issues one, whoever asked before. `trusted`: asked from
 * a browser with the family's device cookie, whose mail goes first when the hourly budget is spent.
 * Returns the outbox id of the mail to deliver, or null when there is nothing new to send.
 */
export async function requestTemporaryPassword(
  db: Db,
  config: Config,
  input: { familyNumber: string; clientKey: string; trusted: boolean },
  now: number,
): Promise<number | null> {
  const family = await findFamilyByNumber(db, input.familyNumber)
  // A closed family gets nothing, and the same answer as everyone (docs/data-and-retention.md).
  if (!family?.email || family.closedAt !== null) {
    await db.batch([
      recordEventStatement(db, {
        type: 'temporary_password_requested',
        familyId: family?.id,
        clientKey: input.clientKey,
        detail: !family
          ? 'unknown number'
          : family.closedAt !== null
            ? 'access closed'
            : 'no e-mail on file',
      }),
    ])
    return null
  }
  const reachable = { ...family, email: family.email }
  return issueTemporaryPassword(
    db,
    config,
    reachable,
    {
      clientKey: input.clientKey,
      spacingMs: config.limits.temporaryPasswordSpacingMs,
      mail: { inBudget: true, priority: input.trusted ? 1 : 0 },
    },
    now,
  )
}

/**
 * Issues a temporary password to a family with an e-mail address and queues its mail, in one batch
 * decided by the spacing (records/temporary-passwords.ts): any older temporary password is voided, only the
 * new one's hash is stored. The public flow, the staff command and the agents' console all come here
 * (the last two with no spacing and outside the public budget). Returns the outbox id of the mail,
 * null when the spacing issued nothing.
 */
export async function issueTemporaryPassword(
  db: Db,
  config: Config,
  family: Family & { email: string },
  origin: {
    clientKey: string | null
    detail?: string
    // An agent's request (the console): the event goes to the journal.
    agent?: string
    spacingMs?: number
    mail?: { inBudget: boolean; priority: number }
  },
  now: number,
): Promise<number | null> {
  const secret = generateTemporaryPassword()
  const expiresAt = now + config.temporaryPasswordTtlMs
  const content = await temporaryPasswordMail({
    family,
    temporaryPassword: secret,
    expiresAt,
    ttlMinutes: config.temporaryPasswordTtlMs / 60_000,
    loginUrl: loginUrl(config),
    portalName: config.portalName,
  })
  const issuing = issueTemporaryPasswordStatements(
    db,
    { familyId: family.id, secret, expiresAt, spacingMs: origin.spacingMs ?? 0 },
    now,
  )
  const mail = enqueueMailStatements(db, {
    familyId: family.id,
    kind: 'temporary_password',
    to: family.email,
    content,
    now,
    expiresAt,
    ...origin.mail,
  })
  const event = { type: 'temporary_password_requested' as const, familyId: family.id }
  const { rows: queued } = await fencedBatch(db, {
    decide: issuing.insert,
    fence: issuing.issued,
    writes: (issued) => [
      issuing.voidOlder(issued),
      withdrawPendingMailsStatement(
        db,
        {
          familyId: family.id,
          kind: 'temporary_password',
          reason: 'replaced by a newer temporary password',
        },
        issued,
      ),
      mail.enqueue(issued),
      recordEventStatement(
        db,
        {
          ...event,
          clientKey: origin.clientKey,
          detail: origin.detail,
          ...(origin.agent && { agent: origin.agent, action: 'sendTemporaryPassword' }),
        },
        issued,
      ),
      recordEventStatement(
        db,
        { ...event, clientKey: origin.clientKey, detail: 'inside the spacing: nothing new issued' },
        fenceNot(issued),
      ),
    ],
    readBack: mail.queuedId,
  })
  return queued[0]?.id ?? null
}
