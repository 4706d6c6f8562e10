// The signed-in family, written once: each fixture walks the real HTTP flow (no row is forged), and
// fails at once if the flow did not land where the fixture promises.
import { createFamily, post, temporaryPasswordFromMail, Visitor } from './helpers'

type FamilyInput = Parameters<typeof createFamily>[0]

/** The password the fixtures give a family unless a test says otherwise. */
export const FAMILY_PASSWORD = 'Soleil2026'

export async function signIn(
  browser: Visitor,
  familyNumber: string,
  password: string,
  landing: string,
) {
  const answer = await browser.post('/connexion', { identifier: familyNumber, password })
  const location = answer.headers.get('location')
  if (location !== landing) {
    throw new Error(`signing in led to ${location ?? answer.status}, not ${landing}`)
  }
}

/**
 * A family signed in with its own password in `browser` (a full session on /espace); `token` is
 * the browser's session cookie.
 */
export async function signedInFamily(input: FamilyInput = {}) {
  const password = input?.password ?? FAMILY_PASSWORD
  const family = await createFamily({ ...input, password })
  const browser = new Visitor()
  await signIn(browser, family.familyNumber, password, '/espace')
  return { family, browser, token: browser.cookieValue('__Host-session')! }
}

/**
 * A browser where the family signed in once with its password, then signed out: it carries the
 * family's device cookie and no session (docs/limits.md, device cookies).
 */
export async function rememberedDevice(familyNumber: string, password = FAMILY_PASSWORD) {
  const browser = new Visitor()
  await signIn(browser, familyNumber, password, '/espace')
  await browser.post('/deconnexion', {})
  return browser
}

/** A new family with a password, and a browser of its that is a remembered device. */
export async function familyWithDevice(input: FamilyInput = {}) {
  const password = input?.password ?? FAMILY_PASSWORD
  const family = await createFamily({ ...input, password })
  return { family, device: await rememberedDevice(family.familyNumber, password) }
}

/**
 * A family that asked for a temporary password (from another client) and signed in with it in
 * `browser`: a restricted session on step 5 (docs/recovery-flow.md).
 */
export async function signedInWithTemporaryPassword(input: FamilyInput = {}) {
  const family = await createFamily(input)
  await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
  const temporary = await temporaryPasswordFromMail(family.email!)
  const browser = new Visitor()
  await signIn(browser, family.familyNumber, temporary, '/nouveau-mot-de-passe')
  return { family, browser, temporary, token: browser.cookieValue('__Host-session')! }
}
