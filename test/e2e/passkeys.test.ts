import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CDPSession, Page } from 'playwright-core'
import { readTemporaryPassword } from '../../scripts/lib/local-client'
import { startLocalServer, type LocalServer } from '../../scripts/lib/local-server'
import { SCRYPT_FLOOR } from '../../src/config'
import { hashPassword } from '../../src/services/passwords'
import { chromiumForThisFile, phone } from '../support/node/chromium'
import { expectHeading, screenshot, watchCspViolations } from '../support/node/browser-app'
import { KNOWN_PASSWORD } from '../support/node/global-setup'

// Passkeys in a real Chromium with its virtual authenticator (CDP WebAuthn domain): a phone's platform
// authenticator that holds discoverable credentials and verifies its user. The app runs on a server of
// its own at http://localhost:<port>: WebAuthn refuses an IP address as the relying party's id.
const browser = chromiumForThisFile(() => server.baseUrl)
let server: LocalServer
const number = (index: number) =>
  `78${String(Date.now()).slice(-7)}${String(index).padStart(6, '0')}`
const families = { passkey: number(1), reset: number(2), plain: number(3) }

beforeAll(async () => {
  const known = await hashPassword(KNOWN_PASSWORD, SCRYPT_FLOOR)
  const rows = Object.entries(families).map(
    ([name, familyNumber]) =>
      `('${familyNumber}', 'CLE', '${name}', '${name}@example.org', ${name === 'reset' ? 'NULL' : `'${known}'`})`,
  )
  server = await startLocalServer({
    host: 'localhost',
    seedSql: `INSERT INTO families (family_number, last_name, first_name, email, password_hash) VALUES ${rows.join(', ')};`,
  })
}, 120_000)
afterAll(async () => server?.stop())

/** A platform authenticator on the page: internal, resident keys, user verification that succeeds. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return { cdp, id: authenticatorId }
}

async function signInWithPassword(page: Page, familyNumber: string, password = KNOWN_PASSWORD) {
  await page.goto(`${server.baseUrl}/connexion`)
  await page.getByLabel('Identifiant').fill(familyNumber)
  await page.getByLabel('Mot de passe', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
  await expectHeading(page, 'Bonjour')
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Se déconnecter' }).click()
  await expectHeading(page, 'Accès famille')
}

describe('passkeys in Chromium with a virtual authenticator', () => {
  it('adds one after a password sign-in, signs in with the button and with autofill, deletes it, then is refused', async () => {
    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    const violations = watchCspViolations(page)
    const authenticator = await addAuthenticator(page)
    await signInWithPassword(page, families.passkey)

    const offer = page.getByRole('region', { name: "Se connecter plus vite avec une clé d'accès" })
    await offer.waitFor()
    expect(
      await offer.getByText('Ne créez pas de clé d’accès sur un ordinateur partagé').count(),
    ).toBe(0)
    expect(
      await offer.getByText("Ne créez pas de clé d'accès sur un ordinateur partagé").isVisible(),
    ).toBe(true)
    await offer.getByLabel('Nom de la clé (facultatif)').fill('Téléphone de test')
    await offer.getByRole('button', { name: "Créer une clé d'accès" }).click()
    await page.getByText("La clé d'accès « Téléphone de test » est créée").waitFor()
    await screenshot(page, 'passkey-created')
    const { credentials } = await authenticator.cdp.send('WebAuthn.getCredentials', {
      authenticatorId: authenticator.id,
    })
    expect(credentials).toHaveLength(1)
    expect(credentials[0]!.isResidentCredential).toBe(true)
    expect(credentials[0]!.rpId).toBe('localhost')
    const handle = Buffer.from(credentials[0]!.userHandle!, 'base64').toString('latin1')
    expect(handle).not.toContain(families.passkey)
    expect(await offer.count()).toBe(0)
    await page.getByText('Téléphone de test', { exact: true }).waitFor()

    // Autofill: the sign-in page asks for a passkey with conditional mediation as it opens; the
    // virtual authenticator answers such a request at once, as a family picking it in the list would.
    await signOut(page)
    await expectHeading(page, 'Bonjour')
    expect(new URL(page.url()).pathname).toBe('/espace')
    await page.getByText(/dernière utilisation le/).waitFor()

    // The button, in a browser without autofill for passkeys (its conditional mediation reported
    // unavailable), holding the same passkey.
    const [credential] = credentials
    const laptop = await browser().newContext(phone(true))
    const second = await laptop.newPage()
    await second.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false
    })
    const other = await addAuthenticator(second)
    await other.cdp.send('WebAuthn.addCredential', {
      authenticatorId: other.id,
      credential: { ...credential!, signCount: credential!.signCount + 1 },
    })
    await second.goto(`${server.baseUrl}/connexion`)
    await second.waitForFunction(() => 'htmx' in window)
    await second.getByRole('button', { name: "Se connecter avec une clé d'accès" }).click()
    await expectHeading(second, 'Bonjour')
    expect(new URL(second.url()).pathname).toBe('/espace')

    // Deleted in the family space: the authenticator still holds it, the server refuses it.
    await second
      .getByRole('button', { name: "Supprimer la clé d'accès « Téléphone de test »" })
      .click()
    await second.getByText("La clé d'accès « Téléphone de test » est supprimée").waitFor()
    await signOut(second)
    await second.getByRole('button', { name: "Se connecter avec une clé d'accès" }).click()
    await second.getByText("Cette clé d'accès n'a pas été acceptée").waitFor()
    expect(new URL(second.url()).pathname).toBe('/connexion')
    await screenshot(second, 'passkey-refused-after-deletion')
    expect(violations).toEqual([])
    await context.close()
    await laptop.close()
  })

  it('is never offered after a temporary password, nor on the sign-in right after the reset', async () => {
    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    await addAuthenticator(page)
    await page.goto(`${server.baseUrl}/mot-de-passe-oublie`)
    await page.getByLabel('Identifiant').fill(families.reset)
    await page.getByRole('button', { name: 'Demander un mot de passe' }).click()
    await page.getByText('Consultez votre messagerie').waitFor()
    const temporary = await readTemporaryPassword(server.baseUrl, 'reset@example.org')
    await page.goto(`${server.baseUrl}/connexion`)
    await page.getByLabel('Identifiant').fill(families.reset)
    await page.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await page.getByLabel('Nouveau mot de passe', { exact: true }).waitFor()
    expect(await page.getByText("Se connecter plus vite avec une clé d'accès").count()).toBe(0)
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Cerisier2026')
    await page.getByLabel('Confirmation mot de passe').fill('Cerisier2026')
    await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
    await page.getByText('Votre nouveau mot de passe est enregistré').waitFor()
    await page.getByLabel('Mot de passe', { exact: true }).fill('Cerisier2026')
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await expectHeading(page, 'Bonjour')
    // Not merely hidden: not on the page at all.
    expect(await page.locator('section.offer').count()).toBe(0)
    await context.close()
  })

  it('changes nothing without JavaScript', async () => {
    const context = await browser().newContext(phone(false))
    const page = await context.newPage()
    await page.goto(`${server.baseUrl}/connexion`)
    expect(
      await page.getByRole('button', { name: "Se connecter avec une clé d'accès" }).count(),
    ).toBe(0)
    await page.getByLabel('Identifiant').fill(families.plain)
    await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await expectHeading(page, 'Bonjour')
    expect(await page.getByText("Se connecter plus vite avec une clé d'accès").isVisible()).toBe(
      false,
    )
    expect(await page.getByRole('button', { name: "Créer une clé d'accès" }).count()).toBe(0)
    expect(await page.getByRole('heading', { name: "Clés d'accès" }).count()).toBe(0)
    await context.close()
  })
})
