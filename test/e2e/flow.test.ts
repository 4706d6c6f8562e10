import type { Page } from 'playwright-core'
import { describe, expect, inject, it } from 'vitest'
import { chromiumForThisFile, phone } from '../support/node/chromium'
import { KNOWN_PASSWORD, type Scenario } from '../support/node/global-setup'
import {
  baseUrl,
  emailOf,
  expectHeading,
  familyNumber,
  screenshot,
  temporaryPasswordFor,
  watchCspViolations,
} from '../support/node/browser-app'

const browser = chromiumForThisFile()

/** From the sign-in page, goes through the six steps as a family would, with a screenshot at each. */
async function sixSteps(page: Page, scenario: Scenario, prefix: string) {
  const number = familyNumber(scenario)
  await expectHeading(page, 'Accès famille')
  await screenshot(page, `${prefix}-1-connexion`)

  await page.getByRole('link', { name: 'Mot de passe oublié' }).click()
  await expectHeading(page, 'Mot de passe oublié')
  await page.getByLabel('Identifiant (numéro de famille)').fill(` ${number} `)
  await screenshot(page, `${prefix}-2-identifiant`)
  await page.getByRole('button', { name: 'Demander un mot de passe' }).click()
  await expectHeading(page, 'Consultez votre messagerie')
  await screenshot(page, `${prefix}-3-messagerie`)

  const temporary = await temporaryPasswordFor(emailOf(scenario))
  await page.getByRole('link', { name: 'Aller à la connexion' }).click()
  await expectHeading(page, 'Accès famille')
  await page.getByLabel('Identifiant').fill(number)
  await page.getByLabel('Mot de passe', { exact: true }).fill(temporary)
  await screenshot(page, `${prefix}-4-mot-de-passe-temporaire`)
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click()

  await page.getByText('Pour améliorer la sécurité de votre application').waitFor()
  expect(await page.title()).toBe('Nouveau mot de passe – Accès famille')
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Jardin-2026')
  await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('Jardin-2026')
  await screenshot(page, `${prefix}-5-nouveau-mot-de-passe`)
  await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()

  await page.getByText('Votre nouveau mot de passe est enregistré').waitFor()
  expect(await page.getByLabel('Identifiant').inputValue()).toBe(number)
  await page.getByLabel('Mot de passe', { exact: true }).fill('Jardin-2026')
  await screenshot(page, `${prefix}-6-reconnexion`)
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
  await expectHeading(page, /^Bonjour Camille FAMILLE\d$/)
  await screenshot(page, `${prefix}-7-espace`)
  expect(new URL(page.url()).pathname).toBe('/espace')
  expect(await page.title()).toBe('Mon espace famille – Accès famille')
}

describe('the six steps in Chromium', () => {
  it('works with JavaScript, each step swapped in as an htmx fragment without a reload', async () => {
    const context = await browser().newContext(phone(true))
    const page = await context.newPage()
    const violations = watchCspViolations(page)
    await page.goto(`${baseUrl()}/connexion`)
    await page.waitForFunction(() => 'htmx' in window)
    // Survives only if no step reloads the document.
    await page.evaluate(
      () => ((window as unknown as { sameDocument: boolean }).sameDocument = true),
    )
    const fragments: string[] = []
    page.on('request', (request) => {
      if (request.headers()['hx-request'] === 'true')
        fragments.push(`${request.method()} ${new URL(request.url()).pathname}`)
    })

    await sixSteps(page, 'withJs', 'avec-js')

    expect(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true)
    // One round trip per step: each successful post answers the next step itself.
    expect(fragments).toEqual([
      'GET /mot-de-passe-oublie',
      'POST /mot-de-passe-oublie',
      'GET /connexion',
      'POST /connexion',
      'POST /nouveau-mot-de-passe',
      'POST /connexion',
    ])
    // The address bar followed (HX-Push-Url): a reload shows the same step as a whole page.
    expect(new URL(page.url()).pathname).toBe('/espace')
    await page.reload()
    await expectHeading(page, /^Bonjour Camille FAMILLE\d$/)
    expect(violations).toEqual([])
    await context.close()
  })

  it('works without JavaScript, with plain forms and full pages', async () => {
    const context = await browser().newContext(phone(false))
    const page = await context.newPage()
    const documents: string[] = []
    page.on('request', (request) => {
      if (request.resourceType() === 'document')
        documents.push(`${request.method()} ${new URL(request.url()).pathname}`)
    })
    await page.goto(`${baseUrl()}/connexion`)
    await sixSteps(page, 'withoutJs', 'sans-js')
    expect(documents).toContain('POST /mot-de-passe-oublie')
    expect(documents).toContain('POST /nouveau-mot-de-passe')
    expect(documents.at(-1)).toBe('GET /espace')
    await context.close()
  })
})

describe('the "show password" button', () => {
  it('reveals and hides the password with JavaScript, and is absent without it', async () => {
    const withJs = await browser().newContext(phone(true))
    const page = await withJs.newPage()
    await page.goto(`${baseUrl()}/connexion`)
    const password = page.getByLabel('Mot de passe', { exact: true })
    const reveal = page.getByRole('button', { name: 'Afficher le mot de passe' })
    await password.fill('Lisible-2026')
    expect(await reveal.getAttribute('aria-pressed')).toBe('false')
    await reveal.click()
    expect(await password.getAttribute('type')).toBe('text')
    expect(await reveal.getAttribute('aria-pressed')).toBe('true')
    await screenshot(page, 'avec-js-afficher-mot-de-passe')
    await reveal.click()
    expect(await password.getAttribute('type')).toBe('password')
    await withJs.close()

    const withoutJs = await browser().newContext(phone(false))
    const plain = await withoutJs.newPage()
    await plain.goto(`${baseUrl()}/connexion`)
    expect(await plain.getByRole('button', { name: 'Afficher le mot de passe' }).count()).toBe(0)
    await withoutJs.close()
  })
})

describe('error states in Chromium', () => {
  for (const javaScriptEnabled of [true, false]) {
    const label = javaScriptEnabled ? 'avec-js' : 'sans-js'

    it(`shows a wrong password, a weak password, a mismatch and an expired temporary password (${label})`, async () => {
      const context = await browser().newContext(phone(javaScriptEnabled))
      const page = await context.newPage()
      await page.goto(`${baseUrl()}/connexion`)
      await page.getByLabel('Identifiant').fill(familyNumber('errors'))
      await page.getByLabel('Mot de passe', { exact: true }).fill('Mauvais-2026')
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
      await page
        .getByRole('alert')
        .filter({ hasText: 'Identifiant ou mot de passe incorrect' })
        .waitFor()
      expect(await page.getByLabel('Identifiant').inputValue()).toBe(familyNumber('errors'))
      expect(await page.getByLabel('Mot de passe', { exact: true }).inputValue()).toBe('')
      await screenshot(page, `${label}-erreur-mot-de-passe`)

      await page.getByLabel('Identifiant').fill(familyNumber('expired'))
      await page
        .getByLabel('Mot de passe', { exact: true })
        .fill(inject('expiredTemporaryPassword'))
      const [refused] = await Promise.all([
        page.waitForResponse((response) => response.request().method() === 'POST'),
        page.getByRole('button', { name: 'Se connecter', exact: true }).click(),
      ])
      expect(refused.status()).toBe(422)
      // The form was answered again: the password field is empty, the number kept.
      await expect
        .poll(() => page.getByLabel('Mot de passe', { exact: true }).inputValue())
        .toBe('')
      expect(await page.getByLabel('Identifiant').inputValue()).toBe(familyNumber('expired'))
      await page
        .getByRole('alert')
        .filter({ hasText: "Un mot de passe temporaire n'est valable que peu de temps" })
        .waitFor()
      await screenshot(page, `${label}-erreur-temporaire-expire`)

      await page.getByLabel('Identifiant').fill(familyNumber('errors'))
      await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
      await expectHeading(page, /^Bonjour/)
      await page.getByRole('link', { name: 'Changer mon mot de passe' }).click()
      await page.getByLabel('Mot de passe actuel', { exact: true }).fill(KNOWN_PASSWORD)
      await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('faible')
      await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('faible')
      await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
      const rules = page.locator('#new_password-error')
      await rules.waitFor()
      expect(await rules.textContent()).toContain('au moins 8 caractères')
      expect(
        await page.getByLabel('Nouveau mot de passe', { exact: true }).getAttribute('aria-invalid'),
      ).toBe('true')
      await screenshot(page, `${label}-erreur-mot-de-passe-faible`)

      await page.getByLabel('Mot de passe actuel', { exact: true }).fill(KNOWN_PASSWORD)
      await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Jardin-2026')
      await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('Jardin-2027')
      await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
      await page
        .locator('#confirmation-error', { hasText: 'La confirmation ne correspond pas' })
        .waitFor()
      await screenshot(page, `${label}-erreur-confirmation`)
      await context.close()
    })
  }
})
