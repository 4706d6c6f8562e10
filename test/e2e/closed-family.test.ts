import { describe, expect, it } from 'vitest'
import { chromiumForThisFile, phone } from '../support/node/chromium'
import { baseUrl, familyNumber } from '../support/node/browser-app'
import { KNOWN_PASSWORD } from '../support/node/global-setup'

// A family the commune's import closed (docs/data-and-retention.md) reads why after its own password,
// with JavaScript and without; a wrong password gets the usual answer.
const browser = chromiumForThisFile()

describe('a closed family', () => {
  for (const javaScript of [true, false]) {
    it(`reads that its access is closed after its correct password (${javaScript ? 'htmx' : 'no JavaScript'})`, async () => {
      const context = await browser().newContext(phone(javaScript))
      const page = await context.newPage()
      await page.goto(`${baseUrl()}/connexion`)
      await page.getByLabel('Identifiant').fill(familyNumber('closed'))
      await page.getByLabel('Mot de passe', { exact: true }).fill('Mauvais-2026')
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
      await page.getByText('Identifiant ou mot de passe incorrect.').waitFor()
      expect(await page.getByText('Votre accès famille est fermé.').count()).toBe(0)

      await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
      const alert = page.getByRole('alert')
      await alert.getByText('Votre accès famille est fermé.').waitFor()
      expect(await alert.innerText()).toContain('contactez')
      expect(new URL(page.url()).pathname).toBe('/connexion')
      expect(await page.getByLabel('Identifiant').inputValue()).toBe(familyNumber('closed'))
      await context.close()
    })
  }
})
