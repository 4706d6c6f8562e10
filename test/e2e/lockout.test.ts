import { describe, expect, it } from 'vitest'
import { LocalClient } from '../../scripts/lib/local-client'
import { chromiumForThisFile, phone } from '../support/node/chromium'
import { KNOWN_PASSWORD } from '../support/node/global-setup'
import {
  baseUrl,
  emailOf,
  expectHeading,
  familyNumber,
  screenshot,
  temporaryPasswordFor,
} from '../support/node/browser-app'

// A stranger who knows the family number locks it for every unknown client and asks for its mails;
// the family's own phone still gets in with its password, and a family on a browser it never used
// gets in by mail.
const browser = chromiumForThisFile()

describe("a stranger's failures do not lock the family out", () => {
  it("signs the family's phone in with its password while the number is locked for everyone else", async () => {
    const number = familyNumber('phone')
    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    const signIn = async (password: string) => {
      await page.goto(`${baseUrl()}/connexion`)
      await page.getByLabel('Identifiant').fill(number)
      await page.getByLabel('Mot de passe', { exact: true }).fill(password)
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    }
    await signIn(KNOWN_PASSWORD)
    await expectHeading(page, /^Bonjour /)
    await page.getByRole('button', { name: 'Se déconnecter' }).click()
    await expectHeading(page, 'Accès famille')

    const stranger = new LocalClient(baseUrl(), '127.0.113.250')
    const statuses = []
    for (let i = 0; i < 6; i++) {
      const answer = await stranger.request('POST', '/connexion', {
        form: { identifier: number, password: `Faux${i}Faux` },
      })
      statuses.push(answer.status)
    }
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429])
    // Another unknown client, even with the right password, waits.
    const unknown = await new LocalClient(baseUrl()).request('POST', '/connexion', {
      form: { identifier: number, password: KNOWN_PASSWORD },
    })
    expect(unknown.status).toBe(429)

    await signIn(KNOWN_PASSWORD)
    await expectHeading(page, /^Bonjour /)
    expect(new URL(page.url()).pathname).toBe('/espace')
    await screenshot(page, 'lockout-phone-signed-in')
    await context.close()
  })
})

describe('a family with no device cookie, its number locked by a stranger', () => {
  it('gets from the 429 to its space by mail, in Chromium without any earlier visit', async () => {
    const number = familyNumber('locked')
    const stranger = new LocalClient(baseUrl(), '127.0.113.251')
    for (let i = 0; i < 6; i++) {
      await stranger.request('POST', '/connexion', {
        form: { identifier: number, password: `Faux${i}Faux` },
      })
    }
    // The stranger also asks for the family's mails, from three addresses.
    for (const ip of ['127.0.113.252', '127.0.113.253', '127.0.113.254']) {
      const asked = await new LocalClient(baseUrl(), ip).request('POST', '/mot-de-passe-oublie', {
        form: { identifier: number },
      })
      expect(asked.status).toBe(200)
    }

    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    await page.goto(`${baseUrl()}/connexion`)
    await page.getByLabel('Identifiant').fill(number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await page.getByText(/réessayez dans \d+ minutes?/).waitFor()
    await screenshot(page, 'lockout-mail-1-bloque')

    await page.getByRole('link', { name: 'Mot de passe oublié' }).click()
    await expectHeading(page, 'Mot de passe oublié')
    await page.getByLabel('Identifiant (numéro de famille)').fill(number)
    await page.getByRole('button', { name: 'Demander un mot de passe' }).click()
    await expectHeading(page, 'Consultez votre messagerie')
    // The newest mail holds a live temporary password (the stranger's request, inside the spacing).
    const temporary = await temporaryPasswordFor(emailOf('locked'))
    await page.getByRole('link', { name: 'Aller à la connexion' }).click()
    await page.getByLabel('Identifiant').fill(number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await page.getByText('Pour améliorer la sécurité de votre application').waitFor()
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Verger-2027')
    await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('Verger-2027')
    await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
    await page.getByText('Votre nouveau mot de passe est enregistré').waitFor()
    await page.getByLabel('Mot de passe', { exact: true }).fill('Verger-2027')
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await expectHeading(page, /^Bonjour /)
    expect(new URL(page.url()).pathname).toBe('/espace')
    await screenshot(page, 'lockout-mail-2-espace')
    await context.close()
  })
})

describe('a challenge, not a wall, on a shared network', () => {
  it('shows the challenge to a JavaScript browser past the per-client limit, and signs the family in once solved', async () => {
    const number = familyNumber('shared')
    const network = '127.0.113.240'
    // Thirty families typing at the town hall's Wi-Fi, each a wrong password once.
    const hall = new LocalClient(baseUrl(), network)
    for (let i = 0; i < 30; i++) {
      const answer = await hall.request('POST', '/connexion', {
        form: { identifier: `9${String(i).padStart(14, '0')}`, password: 'Faux2026x' },
      })
      expect(answer.status).toBe(422)
    }
    const context = await browser().newContext({
      ...phone(true),
      extraHTTPHeaders: { 'cf-connecting-ip': network },
    })
    const page = await context.newPage()
    await page.goto(`${baseUrl()}/connexion`)
    await page.waitForFunction(() => 'htmx' in window)
    await page.getByLabel('Identifiant').fill(number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await page.getByText('Beaucoup de demandes viennent de votre réseau').waitFor()
    await screenshot(page, 'defi-1-verification')
    // The local stand-in of Turnstile (Cloudflare's is out of reach here), same form field.
    await page.getByRole('button', { name: /Je ne suis pas un robot/ }).click()
    await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await expectHeading(page, /^Bonjour /)
    expect(new URL(page.url()).pathname).toBe('/espace')
    await screenshot(page, 'defi-2-espace')
    await context.close()
  })
})
