import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { freePort, startLocalServer, type LocalServer } from '../../scripts/lib/local-server'
import { SCRYPT_FLOOR } from '../../src/config'
import { hashPassword } from '../../src/services/passwords'
import { chromiumForThisFile, phone } from '../support/node/chromium'
import { expectHeading, screenshot, watchCspViolations } from '../support/node/browser-app'
import { KNOWN_PASSWORD } from '../support/node/global-setup'
import { CLIENT, startFranceConnectProvider } from '../support/node/oidc-provider'

// « S'identifier avec FranceConnect » in Chromium against a real OpenID provider (oidc-provider, the
// certified Node implementation) configured like FranceConnect v2: ES256, a signed userinfo, acr
// eidas1, end-session. The app runs on a server of its own, configured for that provider.
const browser = chromiumForThisFile(() => server.baseUrl)
let server: LocalServer
let provider: Awaited<ReturnType<typeof startFranceConnectProvider>>
const FAMILY = `79${String(Date.now()).slice(-7)}000001`
const EMAIL = 'franceconnect@example.org'

beforeAll(async () => {
  const port = await freePort()
  const known = await hashPassword(KNOWN_PASSWORD, SCRYPT_FLOOR)
  server = await startLocalServer({
    host: 'localhost',
    vars: {
      FRANCECONNECT_ISSUER: `http://localhost:${port}`,
      FRANCECONNECT_CLIENT_ID: CLIENT.id,
      FRANCECONNECT_CLIENT_SECRET: CLIENT.secret,
    },
    seedSql: `INSERT INTO families (family_number, last_name, first_name, email, password_hash) VALUES ('${FAMILY}', 'DUBOIS', 'Camille', '${EMAIL}', '${known}');`,
  })
  provider = await startFranceConnectProvider(port, server.baseUrl)
}, 120_000)
afterAll(async () => {
  await provider?.stop()
  await server?.stop()
})

/** The FranceConnect button, then the person chosen on the provider's login page. */
async function franceConnectAs(page: Page, person: string) {
  await page.goto(`${server.baseUrl}/connexion`)
  await screenshot(page, 'franceconnect-sign-in')
  await page.getByRole('link', { name: 'S’identifier avec FranceConnect' }).click()
  await expectHeading(page, 'Identité de test')
  await page.getByRole('button', { name: person }).click()
}

async function latestCode(): Promise<string> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const mails = (await (await fetch(`${server.baseUrl}/dev/mails.json`)).json()) as Array<{
      to: string
      subject: string
      text: string
    }>
    const mail = mails.find(
      (m) => m.to === EMAIL && m.subject === 'Votre code pour relier FranceConnect',
    )
    const code = mail && /Code : (\d{6})/.exec(mail.text)?.[1]
    if (code) return code
    await new Promise((wait) => setTimeout(wait, 200))
  }
  throw new Error('no code mailed')
}

describe('FranceConnect in Chromium against oidc-provider', () => {
  it('links two adults (password, then mailed code), signs in straight to the space, unlinks, and signs out through the provider', async () => {
    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    const violations = watchCspViolations(page)

    // The first adult: linked with the family's password.
    await franceConnectAs(page, 'Angela Claire Louise DUBOIS')
    await expectHeading(page, 'Relier FranceConnect à votre espace famille')
    await screenshot(page, 'franceconnect-link')
    await page.getByLabel('Identifiant').fill(FAMILY)
    await page.getByLabel('Mot de passe de l’espace famille').fill(KNOWN_PASSWORD)
    await page.getByRole('button', { name: 'Relier avec le mot de passe' }).click()
    await expectHeading(page, 'Bonjour')
    await page.getByText('Angela Claire Louise DUBOIS').waitFor()

    // Sign-out ends the FranceConnect session too, and comes back to the sign-in page.
    await page.getByRole('button', { name: 'Se déconnecter' }).click()
    // The provider's page first: until it is there, « Se déconnecter » matches the button below too.
    await page.waitForURL((url) => url.pathname === '/session/end')
    await page.getByRole('button', { name: /sign me out|déconnecter/i }).click()
    await expectHeading(page, 'Accès famille')
    expect(new URL(page.url()).pathname).toBe('/connexion')

    // Next time: straight to the family space.
    await franceConnectAs(page, 'Angela Claire Louise DUBOIS')
    await expectHeading(page, 'Bonjour')
    expect(new URL(page.url()).pathname).toBe('/espace')
    await context.close()

    // The second adult, on another phone: linked with a code mailed to the family.
    const other = await browser().newContext(phone(false))
    const second = await other.newPage()
    await franceConnectAs(second, 'Bruno MARTIN')
    await expectHeading(second, 'Relier FranceConnect à votre espace famille')
    await second.getByLabel('Identifiant').fill(FAMILY)
    await second.getByRole('button', { name: 'Recevoir un code par e-mail' }).click()
    await second.getByText("un code vient d'y être envoyé", { exact: false }).waitFor()
    await second.getByLabel('Code reçu par e-mail').fill(await latestCode())
    await second.getByRole('button', { name: 'Relier et me connecter' }).click()
    await expectHeading(second, 'Bonjour')
    await second.getByText('Bruno MARTIN').waitFor()
    await screenshot(second, 'franceconnect-two-adults')

    // « Délier »: the second adult's link goes.
    await second.getByRole('button', { name: 'Délier FranceConnect de Bruno MARTIN' }).click()
    // Unlinking ends the family's FranceConnect sessions, this one too, and says so; FranceConnect no
    // longer opens the space for him: it asks to link again.
    await expectHeading(second, 'Accès famille')
    await second.getByText('Cette session venait de FranceConnect : elle est fermée.').waitFor()
    await franceConnectAs(second, 'Bruno MARTIN')
    await expectHeading(second, 'Relier FranceConnect à votre espace famille')
    expect(violations).toEqual([])
    await other.close()
  })
})
