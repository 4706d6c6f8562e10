import type { Config } from '../config'
import type { Db } from '../db/client'
import { findFamiliesByEmailStatement } from './families'
import { countMailSpacing } from './limits'
import { familyNumberMail } from './mail/family-number-mail'
import { enqueueMailStatements } from './mail/outbox'
import { loginUrl } from './password-recovery'
import { RETENTION } from './retention'
import { recordEventStatement } from './security-events'

// PRODUCT.md §9. An address can be on several families (separated parents, a grandparent): each gets
// its own mail. Nothing here runs before the answer, so every address costs the family the same time.

/** Addresses compare case-insensitively, without the spaces around them. */
export const normalizeEmail = (typed: string) => typed.trim().toLowerCase()

/**
 * Mails its number to each family registered with `email` (already normalised), within the daily cap
 * for that address and the global budget. Returns the outbox ids of the mails to deliver.
 */
export async function mailFamilyNumbers(
  db: Db,
  config: Config,
  input: { email: string; clientKey: string },
  now: number,
): Promise<number[]> {
  // One round trip: the daily cap for this address, and the families registered with it.
  const { allowed, alongside: families } = await countMailSpacing(
    db,
    config,
    { subject: { email: input.email }, clientKey: input.clientKey },
    now,
    findFamiliesByEmailStatement(db, input.email),
  )
  if (!allowed) return []
  if (families.length === 0) {
    const event = { type: 'family_number_requested' as const, clientKey: input.clientKey }
    await db.batch([recordEventStatement(db, { ...event, detail: 'unknown address' })])
    return []
  }
  const queued: number[] = []
  for (const family of families) {
    const content = await familyNumberMail({
      family,
      loginUrl: loginUrl(config),
      portalName: config.portalName,
    })
    const mail = enqueueMailStatements(db, {
      familyId: family.id,
      kind: 'family_number',
      to: family.email!,
      content,
      now,
      expiresAt: now + RETENTION.familyNumberMailMs,
      inBudget: true,
    })
    const results = await db.batch([
      mail.enqueue,
      recordEventStatement(db, {
        type: 'family_number_requested',
        familyId: family.id,
        clientKey: input.clientKey,
      }),
      mail.queuedId,
    ])
    const [row] = results.at(-1) as Array<{ id: number }>
    if (row) queued.push(row.id)
  }
  return queued
}
