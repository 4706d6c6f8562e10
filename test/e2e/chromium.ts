import { chromium, type Browser, type BrowserContextOptions } from 'playwright-core'
import { randomClientAddress } from '../../scripts/lib/local-client'

// Debian's Chromium (Playwright's own browser download does not work offline). CI installs it.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const chromiumMissingMessage = () =>
  `The browser tests need Chromium at ${CHROMIUM}. Install it with \`sudo apt-get install -y chromium\` ` +
  '(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary.'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
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
