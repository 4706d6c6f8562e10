import { describe, expect, it } from 'vitest'
import { axeViolations } from '../support/node/axe'
import { contextOptions, chromiumForThisFile, phone } from '../support/node/chromium'
import {
  baseUrl,
  emailOf,
  expectHeading,
  familyNumber,
  screenshot,
  temporaryPasswordFor,
  watchCspViolations,
} from '../support/node/browser-app'

// An agent of the commune (docs/agents-console.md), on the phone with a family, sends it a temporary password; the
// family signs in with what the mail says. `npm start`'s development identity stands in for Access.
const browser = chromiumForThisFile()

describe("the agents' console", () => {
  it('walks an agent from search to "temporary password sent"; the family then signs in with it', async () => {
    const number = familyNumber('agent')
    const desk = await browser().newContext(
      contextOptions({ viewport: { width: 1280, height: 900 } }),
    )
    const page = await desk.newPage()
    const violations = watchCspViolations(page)
    await page.goto(`${baseUrl()}/agents`)
    await expectHeading(page, 'Rechercher une famille')
    await page.getByLabel('Numéro de famille, nom ou adresse e-mail').fill(emailOf('agent'))
    await page.getByRole('button', { name: 'Rechercher' }).click()
    // One family has that address: its page opens at once.
    await page.getByText('Sessions ouvertes').waitFor()
    expect(new URL(page.url()).pathname).toBe(`/agents/familles/${number}`)
    expect(await axeViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Envoyer un mot de passe temporaire' }).click()
    await page.getByRole('heading', { name: /^Envoyer un mot de passe temporaire à/ }).waitFor()
    await page.getByRole('button', { name: 'Confirmer' }).click()
    await page.getByText('Un mot de passe temporaire part vers').waitFor()
    await screenshot(page, 'agents-mot-de-passe-envoye')
    expect(await axeViolations(page)).toEqual([])
    expect(violations).toEqual([])

    const temporary = await temporaryPasswordFor(emailOf('agent'))
    expect(await page.content()).not.toContain(temporary)

    const family = await browser().newContext(phone(true))
    const home = await family.newPage()
    await home.goto(`${baseUrl()}/connexion`)
    await home.getByLabel('Identifiant').fill(number)
    await home.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await home.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await home.getByText('Pour améliorer la sécurité').waitFor()
    expect(new URL(home.url()).pathname).toBe('/nouveau-mot-de-passe')
    await desk.close()
    await family.close()
  })
})
