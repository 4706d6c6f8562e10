import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { expect, inject } from 'vitest'
import { readTemporaryPassword } from '../../../scripts/lib/local-client'
import type { Scenario } from './global-setup'

export const baseUrl = () => inject('baseUrl')
export const familyNumber = (scenario: Scenario) => inject('families')[scenario]
/** The seeded e-mail of a scenario's family (test/support/node/global-setup.ts). */
export const emailOf = (scenario: Scenario) => `${scenario.toLowerCase()}@example.org`

const screenshots = resolve(import.meta.dirname, '../../../test-results/screenshots')

/** Writes test-results/screenshots/NAME.png, for a person to look at. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshots, { recursive: true })
  // caret: 'initial': hiding the caret would inject a <style> that our own CSP rightly blocks.
  await page.screenshot({
    path: join(screenshots, `${name}.png`),
    fullPage: true,
    caret: 'initial',
  })
}

/** The temporary password in the newest mail to `email`, read from the development mailbox. */
export const temporaryPasswordFor = (email: string) => readTemporaryPassword(baseUrl(), email)

/** Console messages that say the page broke its own Content Security Policy. */
export function watchCspViolations(page: Page): string[] {
  const violations: string[] = []
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text())
  })
  return violations
}

/** Waits until the step's heading says `text`. */
export async function expectHeading(page: Page, text: string | RegExp) {
  await page.locator('h1', { hasText: text }).waitFor()
}

export async function expectNoHorizontalScroll(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }))
  expect(scroll).toBeLessThanOrEqual(width)
}
