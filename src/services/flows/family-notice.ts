import type { Db } from '../../db/client'
import type { Fence } from '../../db/fenced-batch'
import type { MailContent } from '../mail/templates'
import { enqueueMailStatements, type OutboxMail } from '../records/outbox'
import { RETENTION } from '../retention'
import type { Settings as Config } from '../settings'
import { loginUrl } from './password-recovery'

/** What every notice to a family says last: where to sign in, the portal, whom to contact. */
export const noticeWords = (config: Config) => ({
  loginUrl: loginUrl(config),
  portalName: config.portalName,
  contactText: config.contactText,
})

/**
 * A notice to the family's address about a change to its ways in (a passkey, a FranceConnect link),
 * for the batch of that change: `statements(fence)` to put in it (none for a family without an
 * address), then `mailId()` once it ran, for the delivery after the answer.
 */
export async function familyNotice(
  db: Db,
  input: {
    family: { id: number; email: string | null }
    kind: OutboxMail['kind']
    content: () => Promise<MailContent>
  },
  now: number,
) {
  const { family } = input
  const mail = family.email
    ? enqueueMailStatements(db, {
        familyId: family.id,
        kind: input.kind,
        to: family.email,
        content: await input.content(),
        now,
        expiresAt: now + RETENTION.noticeMs,
      })
    : null
  return {
    statements: (fence: Fence) => (mail ? [mail.enqueue(fence)] : []),
    mailId: async () => (mail ? ((await mail.queuedId)[0]?.id ?? null) : null),
  }
}
