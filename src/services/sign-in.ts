import type { BatchItem } from 'drizzle-orm/batch'
import type { Config } from '../config'
import type { Db } from '../db/client'
import type { Family } from '../db/schema'
import { findFamilyByNumber, recordSignIn, upgradePasswordHash } from './families'
import { forgiveSignInStatements, signInLimited, type SignInClient } from './limits'
import { hashPassword, verifyPassword } from './passwords'
import { recordEventStatement } from './security-events'
import { createSessionStatement, type SessionKind } from './sessions'
import { findLiveTemporaryPassword } from './temporary-passwords'

export type SignInResult =
  | { ok: true; token: string; kind: SessionKind }
  | { ok: false; reason: 'wrong-credentials' }
  | { ok: false; reason: 'limited'; retryAfterMs: number }

type SignInInput = SignInClient & { password: string }

/**
 * Signs a family in with a live temporary password (a restricted session, PRODUCT.md §3.4) or with
 * its password (a full session).
 * - A live temporary password signs in whatever the limits: 128 random bits need no throttling, and a
 *   family whose number a stranger keeps locked can always get back in by mail. Its check is one
 *   SHA-256 lookup, no scrypt.
 * - Anything else is counted first (limits.ts); past a limit, no hash is computed.
 * - Unknown number, no password yet and wrong password then cost the same: one scrypt
 *   (OWASP Authentication cheat sheet, "Authentication responses").
 */
export async function signIn(
  db: Db,
  config: Config,
  input: SignInInput,
  now: number,
): Promise<SignInResult> {
  const temporary = await findLiveTemporaryPassword(db, input.familyNumber, input.password, now)
  if (temporary) {
    const { family, temporaryPassword } = temporary
    return openSession(db, config, input, family, {
      kind: 'restricted',
      temporaryPasswordId: temporaryPassword.id,
      now,
    })
  }

  const limited = await signInLimited(db, config, input, now)
  if (limited) return { ok: false, reason: 'limited', retryAfterMs: limited.retryAfterMs }

  const family = await findFamilyByNumber(db, input.familyNumber)
  const check = verifyPassword(input.password, family?.passwordHash ?? null, config.scrypt)
  if (!family || !check.matches) {
    await recordEventStatement(db, {
      type: 'sign_in_failed',
      familyId: family?.id,
      clientKey: input.clientKey,
    })
    return { ok: false, reason: 'wrong-credentials' }
  }
  // Parameters raised since this hash was made: upgrade it now that the password is known.
  const upgrade = check.needsRehash ? hashPassword(input.password, config.scrypt) : null
  return openSession(db, config, input, family, { kind: 'full', upgrade, now })
}

async function openSession(
  db: Db,
  config: Config,
  client: SignInClient,
  family: Family,
  options: {
    kind: SessionKind
    temporaryPasswordId?: number
    upgrade?: string | null
    now: number
  },
): Promise<SignInResult> {
  const { kind, now } = options
  const session = createSessionStatement(
    db,
    { familyId: family.id, kind, temporaryPasswordId: options.temporaryPasswordId ?? null },
    config.session,
    now,
  )
  const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
    session.statement,
    recordSignIn(db, family.id, family.lastSignInAt, now),
    ...forgiveSignInStatements(db, client),
    recordEventStatement(db, {
      type: kind === 'full' ? 'sign_in_succeeded' : 'temporary_password_used',
      familyId: family.id,
      clientKey: client.clientKey,
    }),
  ]
  if (options.upgrade) statements.push(upgradePasswordHash(db, family.id, options.upgrade))
  await db.batch(statements)
  return { ok: true, token: session.token, kind }
}
