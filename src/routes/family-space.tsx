import { Hono, type Context } from 'hono'
import type { AppEnv } from '../env'
import { redirectTo, render } from '../http/respond'
import { familyWaysIn } from '../services/flows/family-space'
import { canAddPasskey, passkeyOfferDue, type SignedIn } from '../services/flows/passkeys'
import type { Family } from '../services/records/families'
import { familySpaceStep, type FamilySpaceProps } from '../views/family-space'
import { PATHS } from '../paths'

/**
 * The family space of `family`, to a session opened as `session` says: its passkeys, the way to add one
 * while the session is fresh enough, the offer when it is due, its linked FranceConnect adults.
 * The counts, when known (read with the session), spare the lists' query to families with neither.
 */
export async function familySpaceView(
  c: Context<AppEnv>,
  family: Family,
  session: SignedIn,
  {
    passkeyCount,
    franceConnectCount,
    ...messages
  }: Pick<FamilySpaceProps, 'notice' | 'alert'> & {
    passkeyCount?: number
    franceConnectCount?: number
  } = {},
) {
  const { passkeys, franceConnectLinks } = await familyWaysIn(c.var.db, family.id, {
    passkeys: passkeyCount,
    franceConnect: franceConnectCount,
  })
  const now = Date.now()
  const passkeyOffer = passkeyOfferDue(session, family, passkeys.length, now)
  const addPasskey = canAddPasskey(session.createdAt, now)
  return familySpaceStep({
    family,
    passkeys,
    franceConnectLinks,
    passkeyOffer,
    addPasskey,
    ...messages,
  })
}

export const familySpace = new Hono<AppEnv>().get('/', async (c) => {
  const current = c.var.session
  if (!current) return redirectTo(c, PATHS.signIn)
  const { family, session, passkeyCount, franceConnectCount } = current
  return render(c, await familySpaceView(c, family, session, { passkeyCount, franceConnectCount }))
})
