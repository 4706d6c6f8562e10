import type { Db } from '../../db/client'
import { listLinksStatement, type FranceConnectLink } from '../records/franceconnect'
import { listPasskeysStatement, type PasskeySummary } from '../records/passkeys'

/**
 * What the family space lists besides the family itself: its passkeys and its linked FranceConnect
 * adults, in one round trip at most, and none when the session's read already counted zero of both.
 */
export async function familyWaysIn(
  db: Db,
  familyId: number,
  known: { passkeys?: number; franceConnect?: number } = {},
): Promise<{ passkeys: PasskeySummary[]; franceConnectLinks: FranceConnectLink[] }> {
  if (known.passkeys === 0 && known.franceConnect === 0)
    return { passkeys: [], franceConnectLinks: [] }
  const [passkeys, franceConnectLinks] = await db.batch([
    listPasskeysStatement(db, familyId),
    listLinksStatement(db, familyId),
  ])
  return { passkeys, franceConnectLinks }
}
