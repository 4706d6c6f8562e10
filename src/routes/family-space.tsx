import { Hono, type Context } from 'hono'
import type { AppEnv } from '../env'
import { redirectTo, render } from '../http/respond'
import { listPasskeys, passkeyOfferDue } from '../services/flows/passkeys'
import type { Family } from '../services/records/families'
import type { SignInMethod } from '../services/records/sessions'
import { familySpaceStep, type FamilySpaceProps } from '../views/family-space'
import { PATHS } from '../paths'

/**
 * The family space of `family`, signed in by `method`: its passkeys, and the offer when it is due.
 * `passkeyCount`, when known (read with the session), spares the list's query to families with none.
 */
export async function familySpaceView(
  c: Context<AppEnv>,
  family: Family,
  method: SignInMethod,
  {
    passkeyCount,
    ...messages
  }: Pick<FamilySpaceProps, 'notice' | 'alert'> & {
    passkeyCount?: number
  } = {},
) {
  const passkeys = passkeyCount === 0 ? [] : await listPasskeys(c.var.db, family.id)
  const passkeyOffer = passkeyOfferDue(method, family, passkeys.length, Date.now())
  return familySpaceStep({ family, passkeys, passkeyOffer, ...messages })
}

export const familySpace = new Hono<AppEnv>().get('/', async (c) => {
  const current = c.var.session
  if (!current) return redirectTo(c, PATHS.signIn)
  const { family, session, passkeyCount } = current
  return render(c, await familySpaceView(c, family, session.method, { passkeyCount }))
})
