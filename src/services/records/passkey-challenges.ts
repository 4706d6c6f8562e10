import { and, eq, exists, gt, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { passkeyChallenges } from '../../db/schema'
import { sha256Hex } from '../crypto'
import { encodeBase64url } from '../webauthn'

// One-time WebAuthn challenges (docs/passkeys.md; WebAuthn L3 §13.4.3): 32 random bytes, only their
// SHA-256 stored, consumed by the batch that uses them.
export type ChallengePurpose = (typeof passkeyChallenges.$inferSelect)['purpose']

// Long enough for a family to find its phone and unlock it, or to pick the passkey the autofill
// offers a while after the page opened.
export const CHALLENGE_TTL_MS = 10 * 60_000

const challengeId = (challenge: string) => sha256Hex(challenge)

/** A new challenge (base64url) and the statement that stores it. */
export function createChallengeStatement(
  db: Db,
  input: { purpose: ChallengePurpose; familyId: number | null },
  now: number,
) {
  const challenge = encodeBase64url(crypto.getRandomValues(new Uint8Array(32)))
  const statement = db.insert(passkeyChallenges).values({
    id: challengeId(challenge),
    purpose: input.purpose,
    familyId: input.familyId,
    expiresAt: now + CHALLENGE_TTL_MS,
  })
  return { challenge, statement }
}

const liveChallenge = (
  challenge: string,
  purpose: ChallengePurpose,
  familyId: number | null,
  now: number,
) =>
  and(
    eq(passkeyChallenges.id, challengeId(challenge)),
    eq(passkeyChallenges.purpose, purpose),
    familyId === null
      ? isNull(passkeyChallenges.familyId)
      : eq(passkeyChallenges.familyId, familyId),
    gt(passkeyChallenges.expiresAt, now),
  )

/** In a batch's condition: `challenge` was issued here for this purpose (and family), is unexpired and unused. */
export const challengeLive = (
  db: Db,
  input: { challenge: string; purpose: ChallengePurpose; familyId: number | null },
  now: number,
) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(passkeyChallenges)
      .where(liveChallenge(input.challenge, input.purpose, input.familyId, now)),
  )

/** Spends the challenge (whatever the outcome of its use), if `fence` holds. */
export function consumeChallengeStatement(db: Db, challenge: string, fence?: SQL) {
  return db
    .delete(passkeyChallenges)
    .where(and(eq(passkeyChallenges.id, challengeId(challenge)), fence))
}

/** Challenges past their expiry: nothing can use them any more. */
export function deleteExpiredChallengesStatement(db: Db, now: number) {
  return db.delete(passkeyChallenges).where(lt(passkeyChallenges.expiresAt, now))
}
