import type { Page } from 'playwright-core'
import { launchChromium } from '../scripts/lib/chromium'
import { readTemporaryPassword } from '../scripts/lib/local-client'

// The six steps in Chromium on a 2G-like link (250 kbit/s down, 50 up, 300 ms round trip, by CDP
// network emulation), cold cache, with JavaScript (htmx) and without. "Waiting" is what the family
// waits for: from each tap to the next step on screen (its text shown and its stylesheet in), summed;
// its reading and typing are not counted.
export const PROFILE_2G = { latencyMs: 300, downKbps: 250, upKbps: 50 }

export type FlowTiming = {
  javaScript: boolean
  waitingMs: number
  bytesOnWire: number
  requests: number
  // Each action's wait, in order: open /connexion, « Mot de passe oublié », ask, « Aller à la
  // connexion », sign in with the temporary password, save the new one, sign in again.
  steps: Array<{ step: string; ms: number }>
}

type Family = { number: string; email: string }

export async function measureFlow2g(baseUrl: string, family: Family, javaScript: boolean) {
  const browser = await launchChromium()
  try {
    const context = await browser.newContext({
      javaScriptEnabled: javaScript,
      viewport: { width: 360, height: 740 },
      locale: 'fr-FR',
      extraHTTPHeaders: {
        'cf-connecting-ip': `127.2.${javaScript ? 1 : 2}.${Math.floor(Math.random() * 250) + 1}`,
      },
    })
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    // Cold at the start (a new context has an empty cache), then cached as a browser would.
    await cdp.send('Network.clearBrowserCache')
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: PROFILE_2G.latencyMs,
      downloadThroughput: (PROFILE_2G.downKbps * 1000) / 8,
      uploadThroughput: (PROFILE_2G.upKbps * 1000) / 8,
    })
    let bytesOnWire = 0
    let requests = 0
    cdp.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
      bytesOnWire += event.encodedDataLength
      requests++
    })

    // Each step counts from the action to a text only the next step shows: with htmx, checked at
    // every frame (a Playwright locator backs off to polling every 500 ms, which would add up to that
    // per step); without JavaScript, once the next page has loaded.
    let waitingMs = 0
    const steps: FlowTiming['steps'] = []
    // `action` is what the family does (a tap), given as a function that finds its target first and
    // returns the tap itself: the time counts from the tap, not from the tool's search for the button.
    const timed = async (
      step: string,
      action: () => Promise<() => Promise<unknown>>,
      shownText: string,
    ) => {
      const tap = await action()
      const nextDocumentLoaded = javaScript ? undefined : page.waitForEvent('load')
      const started = performance.now()
      await tap()
      // A plain form or link navigates: the next step is there once its page has loaded.
      await nextDocumentLoaded
      await page
        .waitForFunction(shownWithItsStyles, shownText, { polling: 'raf', timeout: 15_000 })
        .catch(async (error: unknown) => {
          const seen = (await page.locator('main').innerText()).slice(0, 300)
          throw new Error(`step "${step}": "${shownText}" never shown; <main> says: ${seen}`, {
            cause: error,
          })
        })
      const ms = performance.now() - started
      waitingMs += ms
      steps.push({ step, ms: Math.round(ms) })
    }
    const click = (role: 'button' | 'link', name: string) => async () => {
      const target = await page.getByRole(role, { name, exact: true }).elementHandle()
      return () => target.evaluate((element) => (element as HTMLElement).click())
    }

    // The first page counts until it is on screen, not until htmx has arrived (its plain form and
    // links work without it): the family reads it meanwhile.
    await timed(
      'open /connexion',
      async () => () => page.goto(`${baseUrl}/connexion`, { waitUntil: 'commit' }),
      'Se connecter',
    )
    await page.waitForLoadState('load')
    await timed(
      '« Mot de passe oublié »',
      click('link', 'Mot de passe oublié'),
      'Demander un mot de passe',
    )
    await page.getByLabel('Identifiant (numéro de famille)').fill(family.number)
    await timed('ask', click('button', 'Demander un mot de passe'), 'Consultez votre messagerie')
    const temporary = await readTemporaryPassword(baseUrl, family.email)
    await timed('« Aller à la connexion »', click('link', 'Aller à la connexion'), 'Se connecter')
    await page.getByLabel('Identifiant').fill(family.number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await timed(
      'sign in (temporary)',
      click('button', 'Se connecter'),
      'Pour améliorer la sécurité',
    )
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Jardin-2026')
    await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('Jardin-2026')
    await timed(
      'save',
      click('button', 'Enregistrer le nouveau mot de passe'),
      'Votre nouveau mot de passe est enregistré',
    )
    await page.getByLabel('Mot de passe', { exact: true }).fill('Jardin-2026')
    await timed('sign in again', click('button', 'Se connecter'), 'Bonjour ')
    await settle(page)
    return { javaScript, waitingMs, bytesOnWire, requests, steps } satisfies FlowTiming
  } finally {
    await browser.close()
  }
}

// The text is in the page and every stylesheet of the page has arrived (a link's `sheet` is null until
// then): the step is on screen as the family sees it, not bare HTML.
const shownWithItsStyles = (text: string) =>
  (document.body?.innerText.includes(text) ?? false) &&
  [...document.querySelectorAll<HTMLLinkElement>('link[rel=stylesheet]')].every(
    (link) => link.sheet,
  )

const settle = (page: Page) => page.waitForLoadState('networkidle')
