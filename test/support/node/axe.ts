import axe from 'axe-core'
import type { Page } from 'playwright-core'

// RGAA 4.1.2 / WCAG 2.1 AA, as axe-core checks them (every page and error state, the agents' console).
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

type Violation = { id: string; help: string; nodes: Array<{ target: string[] }> }

export async function axeViolations(page: Page): Promise<string[]> {
  // Injected through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axe.source)
  const violations = await page.evaluate(
    async (tags) =>
      (
        await (window as unknown as { axe: typeof axe }).axe.run(document, {
          runOnly: { type: 'tag', values: tags },
        })
      ).violations as unknown as Violation[],
    WCAG_TAGS,
  )
  return violations.map(
    (v) => `${v.id} (${v.help}): ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  )
}
