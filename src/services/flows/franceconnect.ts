import type { Db } from '../../db/client'
import { fenceAnd, fencedBatch, type Fence } from '../../db/fenced-batch'
import { randomHex } from '../crypto'
import { trustedDeviceId } from '../devices'
import {
  authorizationUrl,
  identityFromCallback,
  newAuthorizationSecrets,
  type FranceConnectClient,
  type FranceConnectIdentity,
} from '../franceconnect'
import { countSignInAttempt, mailRequestLimited, type Limited, type SignInClient } from '../limits'
import { logJson } from '../logging'
import { franceConnectCodeMail, franceConnectLinkMail } from '../mail/franceconnect-mails'
import {
  familyOpen,
  findFamilyById,
  findFamilyByNumber,
  passwordUnchanged,
  type Family,
} from '../records/families'
import {
  codeMatches,
  codeMatchesNow,
  CODE_TTL_MS,
  createPendingStatement,
  createRequestStatement,
  deletePendingStatement,
  findLinkStatement,
  findPending,
  linkedAt,
  linkGone,
  linkStatement,
  listLinksStatement,
  LINKS_PER_FAMILY,
  pendingLive,
  setCodeStatement,
  stillLinked,
  takeCodeTryStatement,
  takeRequestStatement,
  unlinkStatement,
  type FranceConnectLink,
  type FranceConnectPending,
} from '../records/franceconnect'
import { enqueueMailStatements } from '../records/outbox'
import { endMethodSessionsStatement } from '../records/sessions'
import { recordEventStatement } from '../records/security-events'
import type { Settings as Config } from '../settings'
import { familyNotice, noticeWords } from './family-notice'
import { openSession } from './open-session'
import { checkFamilyPassword, type SignInResult } from './sign-in'

// « S'identifier avec FranceConnect » (docs/franceconnect.md): each adult links their own identity to
// the family once, proving the family with its password or a code mailed to it; then FranceConnect
// opens the family space directly.

export { LINKS_PER_FAMILY, type FranceConnectLink }

/** The client for this deployment, or null when FranceConnect is not configured. */
export function franceConnectClient(
  config: Config,
  fetch?: typeof globalThis.fetch,
): FranceConnectClient | null {
  if (!config.franceConnect) return null
  return {
    ...config.franceConnect,
    redirectUri: `${config.publicUrl}/franceconnect/retour`,
    postLogoutRedirectUri: `${config.publicUrl}/connexion`,
    fetch,
  }
}

/** A new sign-in at FranceConnect: its state (for the browser's cookie) and where to send it. */
export async function startFranceConnect(db: Db, client: FranceConnectClient, now: number) {
  const secrets = newAuthorizationSecrets()
  const url = await authorizationUrl(client, secrets)
  await createRequestStatement(db, secrets, now)
  return { state: secrets.state, url }
}

type Client = Pick<SignInClient, 'clientKey' | 'networks'> & {
  deviceCookie?: string
  previousToken?: string
}

export type CallbackResult =
  | { kind: 'signed-in'; result: Extract<SignInResult, { ok: true }>; idToken: string }
  | { kind: 'link'; pendingToken: string; idToken: string }
  | { kind: 'closed' }
  | { kind: 'cancelled' }
  | { kind: 'refused' }

/**
 * The callback: the state the browser held must be one this portal sent and not yet used (spent here
 * whatever happens), then every check of services/franceconnect.ts. A linked identity opens a full
 * session; an unknown one waits 15 minutes to be linked.
 */
export async function finishFranceConnect(
  db: Db,
  config: Config,
  client: FranceConnectClient,
  input: Client & { callback: URL; state: string | undefined },
  now: number,
): Promise<CallbackResult> {
  if (input.callback.searchParams.get('error') === 'access_denied') return { kind: 'cancelled' }
  const [request] = input.state ? await takeRequestStatement(db, input.state, now) : []
  if (!request || !input.state) {
    logJson('warn', 'franceconnect_refused', { reason: 'unknown or spent state' })
    return { kind: 'refused' }
  }
  const outcome = await identityFromCallback(client, input.callback, {
    state: input.state,
    nonce: request.nonce,
  })
  if (!outcome.ok && outcome.reason === 'cancelled') return { kind: 'cancelled' }
  if (!outcome.ok) {
    logJson('warn', 'franceconnect_refused', { reason: outcome.detail })
    return { kind: 'refused' }
  }
  const { identity } = outcome
  const [linked] = await findLinkStatement(db, identity.sub)
  if (!linked) {
    const pendingToken = randomHex(32)
    await createPendingStatement(db, { token: pendingToken, ...identity }, now)
    return { kind: 'link', pendingToken, idToken: identity.idToken }
  }
  const opened = await openLinkedSession(db, config, linked.family, identity, input, now)
  if (opened === 'closed') return { kind: 'closed' }
  return opened
    ? { kind: 'signed-in', result: opened, idToken: identity.idToken }
    : { kind: 'refused' }
}

async function openLinkedSession(
  db: Db,
  config: Config,
  family: Family,
  identity: Pick<FranceConnectIdentity, 'sub'>,
  input: Client,
  now: number,
) {
  if (family.closedAt !== null) return 'closed' as const
  const deviceId = await trustedDeviceId(
    db,
    config.clientKeySecret,
    input.deviceCookie,
    family.familyNumber,
    now,
  )
  const result = await openSession(db, config, { ...input, deviceId }, family, {
    method: 'franceconnect',
    opensIf: stillLinked(db, identity.sub, family.id),
    now,
  })
  return result.ok ? result : null
}

/** The identity waiting behind the browser's linking cookie, if any. */
export const pendingIdentity = (db: Db, token: string | undefined, now: number) =>
  token ? findPending(db, token, now) : Promise.resolve(undefined)

export type LinkResult =
  | { ok: true; signedIn: Extract<SignInResult, { ok: true }>; mailId: number | null }
  | {
      ok: false
      reason: 'expired' | 'wrong-credentials' | 'wrong-code' | 'full' | 'closed' | 'busy'
    }
  | ({ ok: false; reason: 'limited' } & Limited)

/**
 * Links with the family's password: checked as a sign-in checks it (counted, one scrypt), then linked
 * and signed in.
 */
export async function linkWithPassword(
  db: Db,
  config: Config,
  input: Client & { pendingToken: string; familyNumber: string; password: string },
  now: number,
): Promise<LinkResult> {
  const pending = await findPending(db, input.pendingToken, now)
  if (!pending) return { ok: false, reason: 'expired' }
  const checked = await checkFamilyPassword(db, config, { ...input, challengeSolved: false }, now)
  if (!checked.ok)
    return checked.reason === 'limited'
      ? checked
      : { ok: false, reason: checked.reason === 'busy' ? 'busy' : 'wrong-credentials' }
  const { family } = checked
  if (family.closedAt !== null) return { ok: false, reason: 'closed' }
  return link(
    db,
    config,
    { ...input, pending, family },
    passwordUnchanged(db, family.id, family.passwordVersion),
    now,
  )
}

// The same answer whatever the number: whether it is known, or has an address, is not said.
export type CodeRequestResult =
  | { ok: true; mailId: number | null }
  | ({ ok: false; reason: 'limited' } & Limited)
  | { ok: false; reason: 'expired' }

/**
 * Mails a 6-digit code to the family's address (valid 15 minutes, 5 tries), limited like a mail
 * request. The same write and the same answer whatever the number: for a number with no family (or
 * none to mail), a code nobody receives.
 */
export async function sendLinkCode(
  db: Db,
  config: Config,
  input: Client & { pendingToken: string; familyNumber: string },
  now: number,
): Promise<CodeRequestResult> {
  const pending = await findPending(db, input.pendingToken, now)
  if (!pending) return { ok: false, reason: 'expired' }
  const subject = { familyNumber: input.familyNumber }
  const limited = await mailRequestLimited(db, config, { subject, ...input }, now)
  if (limited) return { ok: false, reason: 'limited', ...limited }
  const family = await findFamilyByNumber(db, input.familyNumber)
  const code = sixDigits()
  if (!family?.email || family.closedAt !== null) {
    await setCodeStatement(db, { token: input.pendingToken, familyId: null, code }, now)
    return { ok: true, mailId: null }
  }
  const content = await franceConnectCodeMail({
    family,
    code,
    requestedBy: { givenName: pending.givenName, familyName: pending.familyName },
    expiresAt: now + CODE_TTL_MS,
    portalName: config.portalName,
  })
  const mail = enqueueMailStatements(db, {
    familyId: family.id,
    kind: 'franceconnect_code',
    to: family.email,
    content,
    now,
    expiresAt: now + CODE_TTL_MS,
    inBudget: true,
  })
  const [, , queued] = await db.batch([
    setCodeStatement(db, { token: input.pendingToken, familyId: family.id, code }, now),
    mail.enqueue(pendingLive(db, input.pendingToken, now)),
    mail.queuedId,
  ])
  return { ok: true, mailId: queued[0]?.id ?? null }
}

/** 6 digits, uniform (no modulo bias): 10^6 of the 2^32 values, the rest drawn again. */
function sixDigits(): string {
  const limit = Math.floor(2 ** 32 / 1_000_000) * 1_000_000
  for (;;) {
    const [value] = crypto.getRandomValues(new Uint32Array(1))
    if (value! < limit) return String(value! % 1_000_000).padStart(6, '0')
  }
}

/**
 * Links with the mailed code: each try first takes one of the code's 5 (atomically: parallel guesses
 * cannot share one) and is counted like a sign-in on the family's number; then the code is compared,
 * and a right one links and signs in. A code asked for a number with no family never matches, with
 * the same answer as a wrong one.
 */
export async function linkWithCode(
  db: Db,
  config: Config,
  input: Client & { pendingToken: string; code: string },
  now: number,
): Promise<LinkResult> {
  const pending = await findPending(db, input.pendingToken, now)
  if (!pending?.codeHash) return { ok: false, reason: 'expired' }
  const [tried] = await takeCodeTryStatement(db, input.pendingToken, now)
  if (!tried?.familyId) return { ok: false, reason: 'wrong-code' }
  const family = await findFamilyById(db, tried.familyId)
  if (!family) return { ok: false, reason: 'wrong-code' }
  const client = { ...input, familyNumber: family.familyNumber, deviceId: null }
  const counted = await countSignInAttempt(db, config, client, now)
  if (counted.limited) return { ok: false, reason: 'limited', ...counted.limited }
  const code = { token: input.pendingToken, code: input.code, familyId: family.id }
  if (!(await codeMatchesNow(db, code, now))) return { ok: false, reason: 'wrong-code' }
  if (family.closedAt !== null) return { ok: false, reason: 'closed' }
  return link(db, config, { ...input, pending, family }, codeMatches(db, code, now), now)
}

/**
 * The link itself, in one batch decided by its insert (what proved the family still holds, the
 * identity still pending, fewer than 2 links, the identity linked nowhere else): the pending identity
 * goes, the event and the notice are written; then the session is opened.
 */
async function link(
  db: Db,
  config: Config,
  input: Client & { pendingToken: string; pending: FranceConnectPending; family: Family },
  proof: Fence,
  now: number,
): Promise<LinkResult> {
  const { pending, family } = input
  const identity = {
    sub: pending.sub,
    givenName: pending.givenName,
    familyName: pending.familyName,
  }
  const notice = await familyNotice(
    db,
    {
      family,
      kind: 'franceconnect_linked',
      content: () =>
        franceConnectLinkMail({
          change: 'linked',
          family,
          adult: identity,
          at: now,
          ...noticeWords(config),
        }),
    },
    now,
  )
  const decide = linkStatement(
    db,
    { familyId: family.id, ...identity, now },
    fenceAnd(fenceAnd(proof, pendingLive(db, input.pendingToken, now)), familyOpen(db, family.id)),
  )
  const { rows } = await fencedBatch(db, {
    decide,
    fence: linkedAt(db, { sub: pending.sub, familyId: family.id, now }),
    writes: (linked) => [
      deletePendingStatement(db, input.pendingToken, linked),
      recordEventStatement(
        db,
        {
          type: 'franceconnect_linked',
          familyId: family.id,
          clientKey: input.clientKey,
          detail: `${identity.givenName} ${identity.familyName}`,
        },
        linked,
      ),
      ...notice.statements(linked),
    ],
    readBack: listLinksStatement(db, family.id),
  })
  const made = rows.some((row) => row.sub === pending.sub && row.linkedAt === now)
  if (!made) return { ok: false, reason: rows.length >= LINKS_PER_FAMILY ? 'full' : 'expired' }
  const mailId = await notice.mailId()
  const opened = await openLinkedSession(db, config, family, identity, input, now)
  if (!opened || opened === 'closed') return { ok: false, reason: 'closed' }
  return { ok: true, signedIn: opened, mailId }
}

/**
 * Unlinks one of the family's adults (from its space, or by an agent: `agent` says so in the event and
 * the mail), mailing the family, and ends the family's FranceConnect sessions (a session does not say
 * which adult opened it). Returns the adult, or null if the link was not the family's (or gone).
 */
export async function unlinkFranceConnect(
  db: Db,
  config: Config,
  input: { family: Family; linkId: number; clientKey: string | null; agent?: string },
  now: number,
) {
  const { family } = input
  const [link] = (await listLinksStatement(db, family.id)).filter(({ id }) => id === input.linkId)
  if (!link) return null
  const adult = { givenName: link.givenName, familyName: link.familyName }
  const notice = await familyNotice(
    db,
    {
      family,
      kind: 'franceconnect_unlinked',
      content: () =>
        franceConnectLinkMail({
          change: 'unlinked',
          family,
          adult,
          at: now,
          by: input.agent ? 'par un agent de la mairie' : undefined,
          ...noticeWords(config),
        }),
    },
    now,
  )
  const gone = linkGone(db, link.id)
  const who = `${adult.givenName} ${adult.familyName}`
  const [removed] = await db.batch([
    unlinkStatement(db, family.id, link.id),
    recordEventStatement(
      db,
      input.agent
        ? {
            type: 'agent_action',
            familyId: family.id,
            clientKey: null,
            agent: input.agent,
            action: 'unlinkFranceConnect',
            detail: `${who} délié`,
          }
        : {
            type: 'franceconnect_unlinked',
            familyId: family.id,
            clientKey: input.clientKey,
            detail: who,
          },
      gone,
    ),
    ...notice.statements(gone),
    endMethodSessionsStatement(db, { familyId: family.id, method: 'franceconnect' }, gone),
  ])
  if (removed.length === 0) return null
  return { adult, mailId: await notice.mailId() }
}
