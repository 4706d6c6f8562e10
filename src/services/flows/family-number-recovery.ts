import type { Settings as Config } from '../settings'
import type { Db } from '../../db/client'
import { fencedBatch } from '../../db/fenced-batch'
import { findFamiliesByEmailStatement } from '../records/families'
import { countMailSpacing } from '../limits'
import { familyNumberMail } from '../mail/family-number-mail'
import { enqueueMailStatements } from '../records/outbox'
import { loginUrl } from './password-recovery'
import { RETENTION } from '../retention'
import { recordEventStatement } from '../records/security-events'

// docs/family-number-recovery.md. An address can be on several families (separated parents, a grandparent): one
// request is one mail to the address, listing its families, so a stranger who types a shared address
// sends it one mail and spends one unit of the global budget, not one per family. Nothing here runs
// before the answer, so every address costs the family the same time.

/** A mail lists this many families at most; the others are told to call the commune. */
export const FAMILIES_LISTED_PER_MAIL = 5

/** Addresses compare case-insensitively, without the spaces around them. */
export const normalizeEmail = (typed: string) => typed.trim().toLowerCase()

/**
 * Mails the numbers of the families registered with `email` (already normalised), in one mail, at
 * most one per spacing for that address; the mail waits for the global budget in the outbox. Returns
 * the outbox id of the mail to deliver.
 */
export async function mailFamilyNumbers(
  db: Db,
  config: Config,
  input: { email: string; clientKey: string },
  now: number,
): Promise<number[]> {
  // One round trip: the spacing for this address, and the families registered with it.
  const { allowed, alongside: families } = await countMailSpacing(
    db,
    config,
    { subject: { email: input.email }, clientKey: input.clientKey },
    now,
    findFamiliesByEmailStatement(db, input.email),
  )
  if (!allowed) return []
  const [first] = families
  if (!first) {
    const event = { type: 'family_number_requested' as const, clientKey: input.clientKey }
    await db.batch([recordEventStatement(db, { ...event, detail: 'unknown address' })])
    return []
  }

  const listed = families.slice(0, FAMILIES_LISTED_PER_MAIL)
  const content = await familyNumberMail({
    families: listed,
    unlisted: families.length - listed.length,
    contactText: config.contactText,
    loginUrl: loginUrl(config),
    portalName: config.portalName,
  })
  // outbox.family_id is one family: the first listed, so the agents' console shows the mail there;
  // each family's own event says it was asked for.
  const mail = enqueueMailStatements(db, {
    familyId: first.id,
    kind: 'family_number',
    to: first.email!,
    content,
    now,
    expiresAt: now + RETENTION.familyNumberMailMs,
    inBudget: true,
  })
  // One event per family on the address, written only if the mail was queued.
  const { rows } = await fencedBatch(db, {
    decide: mail.enqueue(),
    fence: mail.queued,
    writes: (queued) =>
      families.map((family, index) =>
        recordEventStatement(
          db,
          {
            type: 'family_number_requested',
            familyId: family.id,
            clientKey: input.clientKey,
            detail:
              index < listed.length
                ? undefined
                : 'number not listed: too many families on the address',
          },
          queued,
        ),
      ),
    readBack: mail.queuedId,
  })
  const [row] = rows
  return row ? [row.id] : []
}
