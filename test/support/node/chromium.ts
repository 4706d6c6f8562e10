import type { Browser, BrowserContextOptions } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from '../../../scripts/lib/chromium'
import { randomClientAddress } from '../../../scripts/lib/local-client'
import { baseUrl } from './browser-app'
import { validateServedHtml } from './html-validity'

/**
 * One Chromium for a test file: launched before its tests, closed after them. The system's, or the
 * one inside the @sparticuz/chromium npm package (scripts/lib/chromium.ts). Every page and fragment
 * it is served by the app at `appUrl()` (the shared server unless the file starts its own) is
 * validated after each test (RGAA 8.2, test/support/node/html-validity.ts).
 */
export function chromiumForThisFile(appUrl: () => string | string[] = baseUrl): () => Browser {
  let browser: Browser | undefined
  const validate = validateServedHtml(appUrl)
  beforeAll(async () => {
    browser = await launchChromium()
    validate(browser)
  })
  afterAll(async () => {
    await browser?.close()
  })
  return () => browser!
}

// Each browser is its own family on its own line (its own client address for the per-address limits).
export const contextOptions = (options: BrowserContextOptions = {}): BrowserContextOptions => ({
  locale: 'fr-FR',
  ...options,
  extraHTTPHeaders: { 'cf-connecting-ip': randomClientAddress(), ...options.extraHTTPHeaders },
})

/** A phone-sized context (360 × 740), French, with or without JavaScript. */
export const phone = (javaScriptEnabled: boolean): BrowserContextOptions =>
  contextOptions({ viewport: { width: 360, height: 740 }, javaScriptEnabled })
