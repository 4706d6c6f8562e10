import type { Locator, Page } from 'playwright-core'
import { launchChromium } from '../scripts/lib/chromium'
import { readTemporaryPassword } from '../scripts/lib/local-client'

// The six steps in Chromium on a 2G-like link (250 kbit/s down, 50 up, 300 ms round trip, by CDP
// network emulation), cold cache, with JavaScript (htmx) and without. "Waiting" is what the family
// waits for: from each click or submit to the next step on screen, summed; its typing is not counted.
export const PROFILE_2G = { latencyMs: 300, downKbps: 250, upKbps: 50 }

export type FlowTiming = {
  javaScript: boolean
  waitingMs: number
  bytesOnWire: number
  requests: number
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
        'cf-connecting-ip': `10.2.${javaScript ? 1 : 2}.${Math.floor(Math.random() * 250) + 1}`,
      },
    })
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
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

    // Each step counts from the action to a sign that only the next step shows.
    let waitingMs = 0
    const timed = async (action: () => Promise<unknown>, shown: () => Locator) => {
      const started = performance.now()
      await action()
      await shown().first().waitFor()
      waitingMs += performance.now() - started
    }
    const button = (name: string) => () => page.getByRole('button', { name })
    const text = (words: string) => () => page.getByText(words)

    await timed(() => page.goto(`${baseUrl}/connexion`), button('Se connecter'))
    await timed(
      () => page.getByRole('link', { name: 'Mot de passe oublié' }).click(),
      button('Demander un mot de passe'),
    )
    await page.getByLabel('Identifiant (numéro de famille)').fill(family.number)
    await timed(
      () => button('Demander un mot de passe')().click(),
      text('Consultez votre messagerie'),
    )
    const temporary = await readTemporaryPassword(baseUrl, family.email)
    await timed(
      () => page.getByRole('link', { name: 'Aller à la connexion' }).click(),
      button('Se connecter'),
    )
    await page.getByLabel('Identifiant').fill(family.number)
    await page.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await timed(() => button('Se connecter')().click(), text('Pour améliorer la sécurité'))
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Jardin-2026')
    await page.getByLabel('Confirmation mot de passe', { exact: true }).fill('Jardin-2026')
    await timed(
      () => button('Enregistrer le nouveau mot de passe')().click(),
      text('Votre nouveau mot de passe est enregistré'),
    )
    await page.getByLabel('Mot de passe', { exact: true }).fill('Jardin-2026')
    await timed(
      () => button('Se connecter')().click(),
      () => page.locator('h1', { hasText: /^Bonjour / }),
    )
    await settle(page)
    return { javaScript, waitingMs, bytesOnWire, requests } satisfies FlowTiming
  } finally {
    await browser.close()
  }
}

const settle = (page: Page) => page.waitForLoadState('networkidle')
