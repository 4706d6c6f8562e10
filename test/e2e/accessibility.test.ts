import type { Page } from 'playwright-core'
import { axeViolations } from '../support/node/axe'
import { describe, expect, it } from 'vitest'
import { contextOptions, chromiumForThisFile } from '../support/node/chromium'
import { KNOWN_PASSWORD } from '../support/node/global-setup'
import {
  baseUrl,
  emailOf,
  expectHeading,
  expectNoHorizontalScroll,
  familyNumber,
  screenshot,
  temporaryPasswordFor,
} from '../support/node/browser-app'

const browser = chromiumForThisFile()

describe('accessibility of every page and error state (axe-core, WCAG 2.1 A/AA)', () => {
  it('reports no violation, at 320 px nothing scrolls sideways, each step has its own title', async () => {
    const browserContext = await browser().newContext(
      contextOptions({ viewport: { width: 320, height: 640 } }),
    )
    const page = await browserContext.newPage()
    const number = familyNumber('audit')
    const titles = new Map<string, string>()
    const audit = async (state: string) => {
      expect(await axeViolations(page), state).toEqual([])
      await expectNoHorizontalScroll(page)
      expect(await page.getAttribute('html', 'lang')).toBe('fr')
      // Every page's footer: the accessibility status and the two other public-service pages.
      const footer = page.locator('footer')
      for (const name of [
        /^Accessibilité : non conforme$/,
        'Données personnelles',
        'Mentions légales',
      ]) {
        expect(await footer.getByRole('link', { name }).count(), `${state}: ${name}`).toBe(1)
      }
      titles.set(state, await page.title())
      await screenshot(page, `320px-${state}`)
    }
    const submit = (name: string) => page.getByRole('button', { name, exact: true }).click()

    await page.goto(`${baseUrl()}/connexion`)
    await audit('connexion')
    await page.getByLabel('Identifiant').fill('12345')
    await page.getByLabel('Mot de passe', { exact: true }).fill('x')
    await submit('Se connecter')
    await page.locator('#identifier-error').waitFor()
    await audit('connexion-numero-invalide')
    await page.getByLabel('Identifiant').fill(number)
    await page.getByLabel('Mot de passe', { exact: true }).fill('Mauvais-2026')
    await submit('Se connecter')
    await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor()
    await audit('connexion-mot-de-passe-incorrect')

    await page.getByRole('link', { name: 'Mot de passe oublié' }).click()
    await expectHeading(page, 'Mot de passe oublié')
    await audit('mot-de-passe-oublie')
    await page.getByLabel('Identifiant (numéro de famille)').fill('abc')
    await submit('Demander un mot de passe')
    await page.locator('#identifier-error').waitFor()
    await audit('mot-de-passe-oublie-numero-invalide')
    await page.getByLabel('Identifiant (numéro de famille)').fill(number)
    await submit('Demander un mot de passe')
    await expectHeading(page, 'Consultez votre messagerie')
    await audit('consultez-votre-messagerie')

    await page.getByRole('link', { name: 'Aller à la connexion' }).click()
    await page.getByLabel('Identifiant').fill(number)
    await page
      .getByLabel('Mot de passe', { exact: true })
      .fill(await temporaryPasswordFor(emailOf('audit')))
    await submit('Se connecter')
    await page.getByText('Pour améliorer la sécurité').waitFor()
    await audit('nouveau-mot-de-passe')
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('court')
    await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('autre')
    await submit('Enregistrer le nouveau mot de passe')
    await page.locator('#confirmation-error').waitFor()
    await audit('nouveau-mot-de-passe-erreurs')
    await submit('Se déconnecter')
    await expectHeading(page, 'Accès famille')

    await page.getByLabel('Identifiant').fill(number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(KNOWN_PASSWORD)
    await submit('Se connecter')
    await expectHeading(page, /^Bonjour/)
    await audit('espace')
    await page.getByRole('link', { name: 'Changer mon mot de passe' }).click()
    await page.getByLabel('Mot de passe actuel', { exact: true }).waitFor()
    await audit('changer-mot-de-passe')

    await page.goto(`${baseUrl()}/numero-oublie`)
    await audit('numero-oublie')
    // Chromium's own check of a required type=email field stops this before the server; the
    // server's answer (for browsers that do not check) is what is audited here.
    await page.evaluate(() => document.querySelector('form')?.setAttribute('novalidate', ''))
    await page.getByLabel('Adresse e-mail').fill('pas une adresse')
    await submit('Recevoir mon numéro de famille')
    await page.locator('#email-error').waitFor()
    await audit('numero-oublie-adresse-invalide')
    await page.getByLabel('Adresse e-mail').fill(emailOf('audit'))
    await submit('Recevoir mon numéro de famille')
    await expectHeading(page, 'Consultez votre messagerie')
    await audit('numero-envoye')

    for (const [link, heading, state] of [
      ['Mentions légales', 'Mentions légales', 'mentions-legales'],
      ['Données personnelles', 'Données personnelles', 'donnees-personnelles'],
      ['Accessibilité : non conforme', 'Déclaration d’accessibilité', 'accessibilite'],
    ] as const) {
      await page.locator('footer').getByRole('link', { name: link }).click()
      await expectHeading(page, heading)
      await audit(state)
    }

    await page.goto(`${baseUrl()}/page-inexistante`)
    await audit('page-introuvable')

    expect(
      new Set([
        titles.get('connexion'),
        titles.get('mot-de-passe-oublie'),
        titles.get('consultez-votre-messagerie'),
        titles.get('nouveau-mot-de-passe'),
        titles.get('espace'),
      ]).size,
    ).toBe(5)
    for (const title of titles.values()) expect(title).toMatch(/ – Accès famille$/)
    await browserContext.close()
  })
})

describe('the form markup a screen reader and a password manager rely on', () => {
  it('labels every field, sets autocomplete, ties errors to their field and announces them', async () => {
    const browserContext = await browser().newContext(contextOptions({ javaScriptEnabled: false }))
    const page = await browserContext.newPage()
    await page.goto(`${baseUrl()}/connexion`)
    // `webauthn`: the field also offers the family's passkeys (docs/passkeys.md).
    expect(await page.getByLabel('Identifiant').getAttribute('autocomplete')).toBe(
      'username webauthn',
    )
    expect(
      await page.getByLabel('Mot de passe', { exact: true }).getAttribute('autocomplete'),
    ).toBe('current-password')
    expect(await page.locator('[onpaste], [oncopy]').count()).toBe(0)

    await page.getByLabel('Identifiant').fill('123')
    await page.getByLabel('Mot de passe', { exact: true }).fill('x')
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click()
    const field = page.getByLabel('Identifiant')
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await field.getAttribute('aria-describedby'))!.split(' ')
    expect(describedBy).toContain('identifier-error')
    expect(await page.locator('#identifier-error').getAttribute('role')).toBe('alert')
    await browserContext.close()
  })
})

describe('the whole flow with the keyboard alone', () => {
  /** Presses Tab until `selector` has the focus (at most 15 times), as a keyboard user would. */
  async function tabTo(page: Page, selector: string) {
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab')
      if (await page.evaluate((css) => document.activeElement?.matches(css) ?? false, selector)) {
        const outline = await page.evaluate(() => {
          const style = getComputedStyle(document.activeElement!)
          return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) }
        })
        expect(outline.style, `visible focus on ${selector}`).not.toBe('none')
        expect(outline.width).toBeGreaterThanOrEqual(2)
        return
      }
    }
    throw new Error(`Tab never reached ${selector}`)
  }

  it('goes from "Mot de passe oublié" to the family space without a mouse', async () => {
    const browserContext = await browser().newContext(
      contextOptions({ viewport: { width: 360, height: 740 } }),
    )
    const page = await browserContext.newPage()
    const number = familyNumber('keyboard')
    await page.goto(`${baseUrl()}/connexion`)
    await tabTo(page, 'a[href="/mot-de-passe-oublie"]')
    await page.keyboard.press('Enter')
    await expectHeading(page, 'Mot de passe oublié')
    await tabTo(page, '#identifier')
    await page.keyboard.type(number)
    await page.keyboard.press('Enter')
    await expectHeading(page, 'Consultez votre messagerie')
    const temporary = await temporaryPasswordFor(emailOf('keyboard'))

    await tabTo(page, 'a[href="/connexion"]')
    await page.keyboard.press('Enter')
    await expectHeading(page, 'Accès famille')
    await tabTo(page, '#identifier')
    await page.keyboard.type(number)
    await tabTo(page, '#password')
    await page.keyboard.type(temporary)
    await page.keyboard.press('Enter')
    await page.getByText('Pour améliorer la sécurité').waitFor()

    await tabTo(page, '#new_password')
    await page.keyboard.type('Clavier-2026')
    await tabTo(page, '#confirmation')
    await page.keyboard.type('Clavier-2026')
    await page.keyboard.press('Enter')
    await page.getByText('Votre nouveau mot de passe est enregistré').waitFor()

    await tabTo(page, '#password')
    await page.keyboard.type('Clavier-2026')
    await page.keyboard.press('Enter')
    await expectHeading(page, /^Bonjour/)
    await tabTo(page, `form[action="/deconnexion"] button`)
    await page.keyboard.press('Enter')
    await expectHeading(page, 'Accès famille')
    await browserContext.close()
  })
})
