import type { BrowserContextOptions } from 'playwright-core'
import { randomClientAddress } from '../../scripts/lib/local-client'

// The system's Chromium, or the one inside the @sparticuz/chromium npm package (scripts/lib/chromium.ts).
export { launchChromium } from '../../scripts/lib/chromium'

// Each browser is its own family on its own line (its own client address for the per-address limits).
export const contextOptions = (options: BrowserContextOptions = {}): BrowserContextOptions => ({
  locale: 'fr-FR',
  ...options,
  extraHTTPHeaders: { 'cf-connecting-ip': randomClientAddress(), ...options.extraHTTPHeaders },
})

/** A phone-sized context (360 × 740), French, with or without JavaScript. */
export const phone = (javaScriptEnabled: boolean): BrowserContextOptions =>
  contextOptions({ viewport: { width: 360, height: 740 }, javaScriptEnabled })
