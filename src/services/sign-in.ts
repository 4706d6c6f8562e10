import type { BatchItem } from 'drizzle-orm/batch'
import type { Config } from '../config'
import type { Db } from '../db/client'
import { findFamilyByNumber, recordSignIn, upgradePasswordHash } from './families'
import { hashPassword, verifyPassword } from './passwords'
import { clearAttempts, limitKey, releaseAttempt } from './rate-limits'
import { recordEventStatement } from './security-events'
import { createSessionStatement, type SessionKind } from './sessions'
import { findLiveTemporaryPassword } from './temporary-passwords'

export type SignInResult = { ok: true; token: string; kind: SessionKind } | { ok: false }

// No family has id 0: an unknown number runs the same queries as a known one.
const NO_FAMILY = 0

/**
 * Signs a family in with its password (a full session) or with a live temporary password (a
 * restricted session, PRODUCT.md §3.4). Unknown number, no password yet and wrong password cost the
 * same: one scrypt and one temporary-password lookup (OWASP Authentication cheat sheet).
 */
export async function signIn(
  db: Db,
  config: Config,
  input: { familyNumber: string; password: string; clientHash: string },
  now: number,
): Promise<SignInResult> {
  const family = await findFamilyByNumber(db, input.familyNumber)
  const check = verifyPassword(input.password, family?.passwordHash ?? null, config.scrypt)
  const temporary = await findLiveTemporaryPassword(
    db,
    family?.id ?? NO_FAMILY,
    input.password,
    now,
  )
  if (!family || (!check.matches && !temporary)) {
    await recordEventStatement(db, {
      type: 'sign_in_failed',
      familyId: family?.id,
      clientHash: input.clientHash,
    })
    return { ok: false }
  }

  const kind: SessionKind = check.matches ? 'full' : 'restricted'
  const session = createSessionStatement(
    db,
    { familyId: family.id, kind, temporaryPasswordId: check.matches ? null : temporary!.id },
    config.session,
    now,
  )
  const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
    session.statement,
    recordSignIn(db, family.id, family.lastSignInAt, now),
    clearAttempts(db, limitKey('signin-number', family.familyNumber)),
    releaseAttempt(db, limitKey('signin-client', input.clientHash)),
    recordEventStatement(db, {
      type: kind === 'full' ? 'sign_in_succeeded' : 'temporary_password_used',
      familyId: family.id,
      clientHash: input.clientHash,
    }),
  ]
  // Parameters raised since this hash was made: upgrade it now that the password is known.
  if (check.needsRehash) {
    statements.push(upgradePasswordHash(db, family.id, hashPassword(input.password, config.scrypt)))
  }
  await db.batch(statements)
  return { ok: true, token: session.token, kind }
}
