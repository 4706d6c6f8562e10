import type { Config } from '../config'
import type { Db } from '../db/client'
import type { Family } from '../db/schema'
import { temporaryPasswordMail } from './mail/templates'
import { findFamilyByNumberStatement } from './families'
import { countMailSubjectCap, mailBudgetAllows } from './limits'
import { enqueueMailStatements } from './mail/outbox'
import { recordEventStatement } from './security-events'
import { generateTemporaryPassword, issueTemporaryPasswordStatements } from './temporary-passwords'

export const loginUrl = (config: Config) => `${config.publicUrl}/connexion`

/**
 * Steps 2-3: issues a temporary password and puts its mail in the outbox, in one batch. The current
 * password is not touched, so a stranger who knows a number cannot lock the family out (PRODUCT.md §4).
 * Returns the outbox id of the mail to deliver, or null when there is nobody to write to.
 */
export async function requestTemporaryPassword(
  db: Db,
  config: Config,
  input: { familyNumber: string; clientKey: string; trusted: boolean },
  now: number,
): Promise<number | null> {
  // One round trip: the silent daily cap, and the family.
  const { allowed, alongside } = await countMailSubjectCap(
    db,
    config,
    { subject: `number:${input.familyNumber}`, clientKey: input.clientKey, trusted: input.trusted },
    now,
    findFamilyByNumberStatement(db, input.familyNumber),
  )
  if (!allowed) return null
  const [family] = alongside
  if (!family?.email) {
    await db.batch([
      recordEventStatement(db, {
        type: 'temporary_password_requested',
        familyId: family?.id,
        clientKey: input.clientKey,
        detail: family ? 'no e-mail on file' : 'unknown number',
      }),
    ])
    return null
  }
  if (!(await mailBudgetAllows(db, config, input.clientKey, now))) return null
  const reachable = { ...family, email: family.email }
  return issueTemporaryPassword(db, config, reachable, { clientKey: input.clientKey }, now)
}

/**
 * Issues a temporary password to a family with an e-mail address and queues its mail, in one batch:
 * any older temporary password is voided, only the new one's hash is stored. The public flow, the
 * staff command and the agents' console all come here. Returns the outbox id of the mail.
 */
export async function issueTemporaryPassword(
  db: Db,
  config: Config,
  family: Family & { email: string },
  origin: { clientKey: string | null; detail?: string },
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
  const [voidOlder, insertTemporary] = issueTemporaryPasswordStatements(db, {
    familyId: family.id,
    secret,
    expiresAt,
  })
  const mail = enqueueMailStatements(db, {
    familyId: family.id,
    kind: 'temporary_password',
    to: family.email,
    content,
    now,
    expiresAt,
  })
  const results = await db.batch([
    voidOlder,
    insertTemporary,
    mail.enqueue,
    recordEventStatement(db, {
      type: 'temporary_password_requested',
      familyId: family.id,
      clientKey: origin.clientKey,
      detail: origin.detail,
    }),
    mail.queuedId,
  ])
  const queued = results.at(-1) as Array<{ id: number }>
  return queued[0]?.id ?? null
}
