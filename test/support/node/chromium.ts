import type { Browser, BrowserContextOptions } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from '../../../scripts/lib/chromium'
import { randomClientAddress } from '../../../scripts/lib/local-client'

/**
 * One Chromium for a test file: launched before its tests, closed after them. The system's, or the
 * one inside the @sparticuz/chromium npm package (scripts/lib/chromium.ts).
 */
export function chromiumForThisFile(): () => Browser {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchChromium()
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
