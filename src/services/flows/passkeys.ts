import { fenceAnd, fencedBatch } from '../../db/fenced-batch'
import type { Db } from '../../db/client'
import { trustedDeviceId } from '../devices'
import { countPasskeyRefusal, type SignInClient } from '../limits'
import { passkeyMail } from '../mail/passkey-mails'
import {
  dismissPasskeyOfferStatement,
  ensurePasskeyUserIdStatement,
  type Family,
} from '../records/families'
import {
  challengeLive,
  CHALLENGE_TTL_MS,
  consumeChallengeStatement,
  createChallengeStatement,
} from '../records/passkey-challenges'
import {
  addPasskeyStatement,
  deletePasskeyStatement,
  findPasskeyStatement,
  listPasskeysStatement,
  passkeyAccepts,
  passkeyAddedAt,
  passkeyUnknown,
  recordPasskeyUseStatement,
  PASSKEYS_PER_FAMILY,
  type PasskeySummary,
} from '../records/passkeys'
import { recordEventStatement } from '../records/security-events'
import { endPasskeySessionsStatement, type SignInMethod } from '../records/sessions'
import type { Settings as Config } from '../settings'
import {
  ALGORITHMS,
  decodeBase64url,
  encodeBase64url,
  readClientData,
  readRegistration,
  relyingParty,
  verifyAssertion,
} from '../webauthn'
import { familyNotice, noticeWords } from './family-notice'
import { openSession } from './open-session'
import type { SignInResult } from './sign-in'

// Passkeys (docs/passkeys.md): a convenience next to the password, never instead of it. Registration
// after a full sign-in, sign-in from /connexion, removal by the family, a password change or an agent;
// every addition and removal mailed to the family.

export { PASSKEYS_PER_FAMILY, type PasskeySummary }

const rpOf = (config: Config) => relyingParty(config.publicUrl, config.portalName)
const DAY_MS = 24 * 3_600_000
// « Plus tard » keeps the offer away this long (docs/passkeys.md).
export const OFFER_PAUSE_MS = 30 * DAY_MS

// A passkey is added only from a session opened this recently: a session left open on a shared
// computer cannot give a stranger a lasting way in (re-authentication before adding an authenticator,
// OWASP ASVS 5.0 V6 "authentication lifecycle").
export const PASSKEY_REGISTRATION_WINDOW_MS = 15 * 60_000

/** Whether a session opened at `signedInAt` may add a passkey now. */
export const canAddPasskey = (signedInAt: number, now: number) =>
  now - signedInAt < PASSKEY_REGISTRATION_WINDOW_MS

/** The session a family space is shown to: how and when it was opened. */
export type SignedIn = { method: SignInMethod; createdAt: number }

/**
 * Whether the family space offers a passkey: after a sign-in with the family's own password only (not
 * a passkey, not a temporary password, not the first sign-in after a password change, which is most
 * often a reset: GOV.UK One Login's rule), while a passkey may be added, to a family with none, at most
 * once a month after « Plus tard ».
 */
export function passkeyOfferDue(
  session: SignedIn,
  family: Family,
  passkeyCount: number,
  now: number,
) {
  if (session.method !== 'password' || passkeyCount > 0) return false
  if (!canAddPasskey(session.createdAt, now)) return false
  const justChanged =
    family.passwordChangedAt !== null && (family.previousSignInAt ?? 0) < family.passwordChangedAt
  const dismissed = family.passkeyOfferDismissedAt
  return !justChanged && (dismissed === null || now - dismissed >= OFFER_PAUSE_MS)
}

export async function dismissPasskeyOffer(db: Db, familyId: number, now: number) {
  await dismissPasskeyOfferStatement(db, familyId, now)
}

/** The options of navigator.credentials.get(): a new one-time challenge, this RP ID. */
export async function startPasskeySignIn(db: Db, config: Config, now: number) {
  const { challenge, statement } = createChallengeStatement(
    db,
    { purpose: 'sign_in', familyId: null },
    now,
  )
  await statement
  return {
    challenge,
    rpId: rpOf(config).id,
    timeout: CHALLENGE_TTL_MS,
    userVerification: 'required' as const,
  }
}

/** What the browser posts after navigator.credentials.get(), each part base64url. */
export type PasskeyAssertion = {
  credentialId: string
  clientData: string
  authenticatorData: string
  signature: string
  userHandle: string
}

type PasskeySignInInput = PasskeyAssertion &
  Pick<SignInClient, 'clientKey' | 'networks'> & { deviceCookie?: string; previousToken?: string }

/**
 * Signs a family in with a passkey: a full session and a device cookie, like its password. The
 * challenge, the origin, the RP ID, user verification, the passkey's family (its user handle) and the
 * signature are checked, and the batch that opens the session also spends the challenge and moves the
 * counter, both fenced. Only a refusal is counted, per client network (limits/sign-in.ts).
 */
export async function signInWithPasskey(
  db: Db,
  config: Config,
  input: PasskeySignInInput,
  now: number,
): Promise<SignInResult> {
  const rp = rpOf(config)
  const refuse = (familyId: number | null, reason: string, challenge?: string) =>
    refusePasskey(db, config, { client: input, familyId, reason, challenge }, now)
  const clientData = decodeBase64url(input.clientData)
  const authenticatorData = decodeBase64url(input.authenticatorData)
  const signature = decodeBase64url(input.signature)
  if (!clientData || !authenticatorData || !signature || !decodeBase64url(input.credentialId)) {
    return refuse(null, 'malformed assertion')
  }
  const read = readClientData(clientData, 'get', rp)
  if (!read.ok) return refuse(null, read.reason)
  const { challenge } = read
  const [found] = await findPasskeyStatement(db, input.credentialId)
  if (!found) return refuse(null, 'unknown passkey', challenge)
  const { passkey, family } = found
  // The handle the authenticator keeps with the passkey names its family: another family's passkey
  // (or a handle swapped in transit) opens nothing.
  if (!family.passkeyUserId || input.userHandle !== family.passkeyUserId) {
    return refuse(family.id, 'user handle mismatch', challenge)
  }
  const verified = await verifyAssertion(
    { authenticatorData, clientDataJSON: clientData, signature },
    passkey,
    rp,
  )
  if (!verified.ok) return refuse(family.id, verified.reason, challenge)
  if (family.closedAt !== null) {
    await consumeChallengeStatement(db, challenge)
    return { ok: false, reason: 'closed' }
  }
  const counter = verified.signCount
  const deviceId = await trustedDeviceId(
    db,
    config.clientKeySecret,
    input.deviceCookie,
    family.familyNumber,
    now,
  )
  const opened = await openSession(db, config, { ...input, deviceId }, family, {
    method: 'passkey',
    passkeyId: passkey.id,
    opensIf: fenceAnd(
      challengeLive(db, { challenge, purpose: 'sign_in', familyId: null }, now),
      passkeyAccepts(db, passkey.id, counter),
    ),
    alsoWrites: (opened) => [
      consumeChallengeStatement(db, challenge, opened),
      recordPasskeyUseStatement(db, { credentialId: passkey.id, counter, now }, opened),
    ],
    now,
  })
  if (opened.ok) return opened
  // The challenge was spent or expired, the passkey removed, or its counter went back (a clone).
  const reason =
    counter > 0 && counter <= passkey.signCount ? 'counter went back' : 'challenge spent'
  return refuse(family.id, reason, challenge)
}

/**
 * A refused passkey: its challenge spent, a `sign_in_failed` event with the reason, and the refusal
 * counted per client network; past that limit, the wait is what the client is told.
 */
async function refusePasskey(
  db: Db,
  config: Config,
  input: {
    client: Pick<SignInClient, 'clientKey' | 'networks'>
    familyId: number | null
    reason: string
    challenge?: string
  },
  now: number,
): Promise<SignInResult> {
  const { client, challenge } = input
  const event = recordEventStatement(db, {
    type: 'sign_in_failed',
    familyId: input.familyId,
    clientKey: client.clientKey,
    detail: `passkey: ${input.reason}`,
  })
  await db.batch(challenge ? [event, consumeChallengeStatement(db, challenge)] : [event])
  const limited = await countPasskeyRefusal(db, config, client, now)
  if (limited) return { ok: false, reason: 'limited', ...limited }
  return { ok: false, reason: 'passkey-refused' }
}

/**
 * The options of navigator.credentials.create() for the signed-in family: a discoverable credential,
 * user verification required, no attestation, its other passkeys excluded. Null at 10 passkeys.
 */
export async function startPasskeyRegistration(
  db: Db,
  config: Config,
  family: Family,
  now: number,
) {
  const rp = rpOf(config)
  const created = createChallengeStatement(db, { purpose: 'register', familyId: family.id }, now)
  const candidate = encodeBase64url(crypto.getRandomValues(new Uint8Array(16)))
  const [, handle, existing] = await db.batch([
    created.statement,
    ensurePasskeyUserIdStatement(db, family.id, candidate),
    listPasskeysStatement(db, family.id),
  ])
  if (existing.length >= PASSKEYS_PER_FAMILY || !handle[0]?.passkeyUserId) return null
  return {
    challenge: created.challenge,
    rp: { id: rp.id, name: rp.name },
    // The name the phone shows beside the passkey is the family number, what the family types; the
    // handle the authenticator keeps is the random id, never the number.
    user: {
      id: handle[0].passkeyUserId,
      name: family.familyNumber,
      displayName: `${family.lastName} ${family.firstName}`,
    },
    pubKeyCredParams: ALGORITHMS.map((alg) => ({ type: 'public-key' as const, alg })),
    timeout: CHALLENGE_TTL_MS,
    attestation: 'none' as const,
    authenticatorSelection: {
      residentKey: 'required' as const,
      requireResidentKey: true,
      userVerification: 'required' as const,
    },
    excludeCredentials: existing.map(({ id }) => ({ type: 'public-key' as const, id })),
  }
}

export type PasskeyRegistration = { clientData: string; attestationObject: string; name: string }

export type AddPasskeyResult =
  { ok: true; name: string; mailId: number | null } | { ok: false; reason: 'refused' | 'too-many' }

/**
 * Verifies and stores a new passkey of the signed-in family, in one batch decided by its insert (the
 * challenge still live and the family's, fewer than 10, a credential not already known): the
 * challenge is spent whatever happens, the event and the mail only once it is stored.
 */
export async function addPasskey(
  db: Db,
  config: Config,
  input: PasskeyRegistration & { family: Family; clientKey: string; userAgent?: string },
  now: number,
): Promise<AddPasskeyResult> {
  const { family } = input
  const rp = rpOf(config)
  const clientData = decodeBase64url(input.clientData)
  const attestation = decodeBase64url(input.attestationObject)
  const read = clientData ? readClientData(clientData, 'create', rp) : null
  if (!read?.ok) return { ok: false, reason: 'refused' }
  const spend = consumeChallengeStatement(db, read.challenge)
  const registration = attestation ? await readRegistration(attestation, rp) : null
  if (!registration?.ok) {
    await spend
    return { ok: false, reason: 'refused' }
  }
  const name = input.name || defaultPasskeyName(input.userAgent, now)
  const live = challengeLive(
    db,
    { challenge: read.challenge, purpose: 'register', familyId: family.id },
    now,
  )
  const decide = addPasskeyStatement(
    db,
    {
      id: registration.credentialId,
      familyId: family.id,
      publicKey: registration.publicKey,
      algorithm: registration.algorithm,
      signCount: registration.signCount,
      name,
      createdAt: now,
    },
    fenceAnd(live, passkeyUnknown(db, registration.credentialId)),
  )
  const notice = await familyNotice(
    db,
    {
      family,
      kind: 'passkey_added',
      content: () =>
        passkeyMail({
          change: 'added',
          family,
          names: [name],
          at: now,
          ...noticeWords(config),
        }),
    },
    now,
  )
  const { rows } = await fencedBatch(db, {
    decide,
    fence: passkeyAddedAt(db, registration.credentialId, now),
    writes: (stored) => [
      recordEventStatement(
        db,
        { type: 'passkey_added', familyId: family.id, clientKey: input.clientKey, detail: name },
        stored,
      ),
      ...notice.statements(stored),
      consumeChallengeStatement(db, read.challenge),
    ],
    readBack: listPasskeysStatement(db, family.id),
  })
  const stored = rows.some(
    (passkey) => passkey.id === registration.credentialId && passkey.createdAt === now,
  )
  if (!stored) {
    return { ok: false, reason: rows.length >= PASSKEYS_PER_FAMILY ? 'too-many' : 'refused' }
  }
  return { ok: true, name, mailId: await notice.mailId() }
}

const dayFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })

/** « Téléphone Android, créée le 3 décembre 2026 »: what the family sees when it gave no name. */
export function defaultPasskeyName(userAgent: string | undefined, now: number): string {
  return `${deviceKind(userAgent ?? '')}, créée le ${dayFormat.format(new Date(now))}`
}

function deviceKind(userAgent: string): string {
  if (/iPhone/.test(userAgent)) return 'iPhone'
  if (/iPad/.test(userAgent)) return 'iPad'
  if (/Android/.test(userAgent)) {
    return /Mobile/.test(userAgent) ? 'Téléphone Android' : 'Tablette Android'
  }
  if (/Macintosh/.test(userAgent)) return 'Mac'
  if (/Windows/.test(userAgent)) return 'Ordinateur Windows'
  if (/CrOS/.test(userAgent)) return 'Chromebook'
  if (/Linux/.test(userAgent)) return 'Ordinateur Linux'
  return 'Appareil'
}

/**
 * Removes one of the family's passkeys (from its space, or by an agent: `by` says so in the mail and
 * the event), mailing the family. Returns the removed passkey's name, or null if it was not the
 * family's (or already gone).
 */
export async function removePasskey(
  db: Db,
  config: Config,
  input: { family: Family; credentialId: string; clientKey: string | null; agent?: string },
  now: number,
): Promise<{ name: string; mailId: number | null } | null> {
  const { family } = input
  const [passkey] = (await listPasskeysStatement(db, family.id)).filter(
    ({ id }) => id === input.credentialId,
  )
  if (!passkey) return null
  const notice = await familyNotice(
    db,
    {
      family,
      kind: 'passkey_removed',
      content: () =>
        passkeyMail({
          change: 'removed',
          family,
          names: [passkey.name],
          by: input.agent ? 'par un agent de la mairie' : undefined,
          at: now,
          ...noticeWords(config),
        }),
    },
    now,
  )
  const removed = passkeyUnknown(db, passkey.id)
  const [deleted] = await db.batch([
    deletePasskeyStatement(db, family.id, passkey.id),
    recordEventStatement(
      db,
      input.agent
        ? {
            type: 'agent_action',
            familyId: family.id,
            clientKey: null,
            agent: input.agent,
            action: 'removePasskey',
            detail: `« ${passkey.name} » supprimée`,
          }
        : {
            type: 'passkey_removed',
            familyId: family.id,
            clientKey: input.clientKey,
            detail: passkey.name,
          },
      removed,
    ),
    ...notice.statements(removed),
    // Whoever signed in with it is out too.
    endPasskeySessionsStatement(db, { familyId: family.id, passkeyId: passkey.id }, removed),
  ])
  if (deleted.length === 0) return null
  return { name: passkey.name, mailId: await notice.mailId() }
}
