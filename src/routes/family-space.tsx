import { Hono, type Context } from 'hono'
import type { AppEnv } from '../env'
import { redirectTo, render } from '../http/respond'
import {
  canAddPasskey,
  listPasskeys,
  passkeyOfferDue,
  type SignedIn,
} from '../services/flows/passkeys'
import type { Family } from '../services/records/families'
import { familySpaceStep, type FamilySpaceProps } from '../views/family-space'
import { PATHS } from '../paths'

/**
 * The family space of `family`, to a session opened as `session` says: its passkeys, the way to add one
 * while the session is fresh enough, and the offer when it is due.
 * `passkeyCount`, when known (read with the session), spares the list's query to families with none.
 */
export async function familySpaceView(
  c: Context<AppEnv>,
  family: Family,
  session: SignedIn,
  {
    passkeyCount,
    ...messages
  }: Pick<FamilySpaceProps, 'notice' | 'alert'> & {
    passkeyCount?: number
  } = {},
) {
  const passkeys = passkeyCount === 0 ? [] : await listPasskeys(c.var.db, family.id)
  const now = Date.now()
  const passkeyOffer = passkeyOfferDue(session, family, passkeys.length, now)
  const addPasskey = canAddPasskey(session.createdAt, now)
  return familySpaceStep({ family, passkeys, passkeyOffer, addPasskey, ...messages })
}

export const familySpace = new Hono<AppEnv>().get('/', async (c) => {
  const current = c.var.session
  if (!current) return redirectTo(c, PATHS.signIn)
  const { family, session, passkeyCount } = current
  return render(c, await familySpaceView(c, family, session, { passkeyCount }))
})
