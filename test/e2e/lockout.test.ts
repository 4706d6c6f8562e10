import { describe, expect, it } from 'vitest'
import { LocalClient } from '../../scripts/lib/local-client'
import { chromiumForThisFile, phone } from './chromium'
import { KNOWN_PASSWORD } from './global-setup'
import { baseUrl, expectHeading, familyNumber, screenshot } from './support'

// Issue 10: a stranger who knows the family number locks it for every unknown client; the family's
// own phone, where it signed in before, still gets in with its password.
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
      await page.getByRole('button', { name: 'Se connecter' }).click()
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
