import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

// Which Chromium the browser tests and the bench drive, so that `npm install && npm test` needs
// nothing but npm (Playwright's own browser download does not work offline):
//   CHROMIUM_PATH=/path/to/chrome   that binary;
//   CHROMIUM_PATH=bundled           the Chromium shipped inside the @sparticuz/chromium npm package;
//   unset                           the system's /usr/bin/chromium (Debian's) when there is one, else the
//                                   bundled one (Linux x64/arm64; unpacked to /tmp on first use).
const SYSTEM_CHROMIUM = '/usr/bin/chromium'

export type ChromiumChoice = {
  path: string
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium'
}

let resolved: Promise<ChromiumChoice> | undefined

export function chromiumExecutable(): Promise<ChromiumChoice> {
  resolved ??= (async (): Promise<ChromiumChoice> => {
    const configured = process.env.CHROMIUM_PATH
    if (configured && configured !== 'bundled') {
      if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured}: no such file`)
      return { path: configured, source: 'CHROMIUM_PATH' }
    }
    if (!configured && existsSync(SYSTEM_CHROMIUM))
      return { path: SYSTEM_CHROMIUM, source: 'system' }
    const { default: bundled } = await import('@sparticuz/chromium')
    return { path: await bundled.executablePath(), source: '@sparticuz/chromium' }
  })()
  return resolved
}

// Headless, as root on a closed network: no sandbox, no GPU, none of Chromium's own network chatter.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

export async function launchChromium(): Promise<Browser> {
  const { path } = await chromiumExecutable()
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS })
}
