import { describe, expect, it } from 'vitest'
import { readFamilyNumber } from '../../scripts/lib/local-client'
import { chromiumForThisFile, phone } from '../support/node/chromium'
import {
  baseUrl,
  emailOf,
  expectHeading,
  familyNumber,
  screenshot,
  temporaryPasswordFor,
  watchCspViolations,
} from '../support/node/browser-app'

// From « Numéro de famille oublié ? » (docs/family-number-recovery.md) to the family space, using only what the mails say.
const browser = chromiumForThisFile()

describe('a family that lost its number', () => {
  it('gets it by mail, then its password by mail, and reaches its space', async () => {
    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    const violations = watchCspViolations(page)
    await page.goto(`${baseUrl()}/connexion`)
    await page.getByRole('link', { name: 'Numéro de famille oublié ?' }).click()
    await expectHeading(page, 'Numéro de famille oublié')
    expect(new URL(page.url()).pathname).toBe('/numero-oublie')
    await page.getByLabel('Adresse e-mail').fill(` ${emailOf('number').toUpperCase()} `)
    await page.getByRole('button', { name: 'Recevoir mon numéro de famille' }).click()
    await page.getByText('Si cette adresse est enregistrée').waitFor()
    await screenshot(page, 'numero-oublie-envoye')

    const number = await readFamilyNumber(baseUrl(), emailOf('number'))
    expect(number).toBe(familyNumber('number'))

    await page.getByRole('link', { name: 'Aller à la connexion' }).click()
    await page.getByRole('link', { name: 'Mot de passe oublié' }).click()
    await page.getByLabel('Identifiant (numéro de famille)').fill(number)
    await page.getByRole('button', { name: 'Demander un mot de passe' }).click()
    await expectHeading(page, 'Consultez votre messagerie')
    const temporary = await temporaryPasswordFor(emailOf('number'))
    await page.getByRole('link', { name: 'Aller à la connexion' }).click()
    await page.getByLabel('Identifiant').fill(number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Retrouve-2026')
    await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('Retrouve-2026')
    await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
    await page.getByText('Votre nouveau mot de passe est enregistré').waitFor()
    await page.getByLabel('Mot de passe', { exact: true }).fill('Retrouve-2026')
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await expectHeading(page, /^Bonjour Camille FAMILLE\d+$/)
    expect(new URL(page.url()).pathname).toBe('/espace')
    expect(violations).toEqual([])
    await context.close()
  })
})
