import type { Fence } from '../../db/fenced-batch'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from '../../db/client'
import type { ClientNetwork } from '../client-key'
import { clearAttemptsStatement, releaseAttemptStatement } from '../records/attempt-counters'
import type { Settings as Config } from '../settings'
import { countAll, limitedOnly, limitKey, perNetwork, type Check, type Limit } from './counter'

// Failures through all of a family's device cookies together: a higher cap than one unknown client's,
// so a stolen cookie (or ten) cannot multiply the guesses at a number.
const DEVICES_TOTAL_SCALE = 4

export type SignInClient = {
  familyNumber: string
  clientKey: string
  networks: ClientNetwork[]
  deviceId: string | null
  // A solved challenge: the per-client limits are skipped, the per-number ones still count.
  challengeSolved?: boolean
}

function signInChecks(config: Config, client: SignInClient): Check[] {
  const { signInFailuresPerNumber, signInFailuresPerClient, signInWindowMs } = config.limits
  const limit = (max: number): Limit => ({ max, windowMs: signInWindowMs, escalates: true })
  if (client.deviceId) {
    return [
      {
        key: limitKey('signin-device', client.familyNumber, client.deviceId),
        limit: limit(signInFailuresPerNumber),
        detail: 'sign-in per device',
      },
      {
        key: limitKey('signin-devices', client.familyNumber),
        limit: limit(signInFailuresPerNumber * DEVICES_TOTAL_SCALE),
        detail: 'sign-in per number across devices',
      },
    ]
  }
  return [
    {
      key: limitKey('signin-number', client.familyNumber),
      limit: limit(signInFailuresPerNumber),
      detail: 'sign-in per number',
    },
    ...perNetwork(
      'signin-client',
      client.challengeSolved ? [] : client.networks,
      limit(signInFailuresPerClient),
      'sign-in per client',
    ),
  ]
}

/**
 * Counts a sign-in attempt, before any hash: per (number, device) and per number across devices for
 * a trusted browser, per number and per client network otherwise. Returns how long to wait when over
 * a limit.
 */
export function signInLimited(db: Db, config: Config, client: SignInClient, now: number) {
  return limitedOnly(countSignInAttempt(db, config, client, now))
}

/** The same count, with a read the sign-in needs (the family) in the same round trip. */
export function countSignInAttempt<Alongside = never>(
  db: Db,
  config: Config,
  client: SignInClient,
  now: number,
  alongside?: BatchItem<'sqlite'> & PromiseLike<Alongside>,
) {
  return countAll(db, signInChecks(config, client), client.clientKey, now, alongside)
}

/**
 * What a successful password sign-in forgives, as statements for its db.batch, if `fence` holds then:
 * the failures of its own trusted device, or else the one attempt it counted on the number and on each
 * of its networks. Only what this attempt counted: a number's other failures (and its block) are not
 * the family's to end, or a stranger would learn when the family signed in.
 */
export function forgiveSignInStatements(db: Db, client: SignInClient, fence: Fence) {
  if (client.deviceId) {
    return [
      clearAttemptsStatement(
        db,
        limitKey('signin-device', client.familyNumber, client.deviceId),
        fence,
      ),
      releaseAttemptStatement(db, limitKey('signin-devices', client.familyNumber), fence),
    ]
  }
  return [
    releaseAttemptStatement(db, limitKey('signin-number', client.familyNumber), fence),
    ...(client.challengeSolved ? [] : client.networks).map((network) =>
      releaseAttemptStatement(db, limitKey('signin-client', network.key), fence),
    ),
  ]
}

/**
 * A refused passkey, counted per client network like a failed password. Only refusals count: a valid
 * passkey cannot be guessed, so it signs in whatever its network's count (a stranger failing on purpose
 * on a shared network never keeps a family from its passkey), and nothing is counted per number (the
 * number is not known until the passkey is found). Returns how long to wait when over the limit.
 */
export function countPasskeyRefusal(
  db: Db,
  config: Config,
  client: Pick<SignInClient, 'clientKey' | 'networks'>,
  now: number,
) {
  const { signInFailuresPerClient, signInWindowMs } = config.limits
  const limit = { max: signInFailuresPerClient, windowMs: signInWindowMs, escalates: true }
  const checks = perNetwork('signin-client', client.networks, limit, 'sign-in per client')
  return limitedOnly(countAll(db, checks, client.clientKey, now))
}
