import { HtmlValidate, type ConfigData, type RuleConfig } from 'html-validate'
import type { Browser, Response } from 'playwright-core'
import { afterEach, expect } from 'vitest'

// RGAA 8.2: each page's code is valid for its document type (README, "Valid HTML (RGAA 8.2)").
// html-validate runs from npm alone: its recommended rules, plus `no-unknown-attributes` (not in
// the preset), the one that finds an attribute HTML does not define, such as htmx's bare `hx-post`,
// as the W3C checker does.
const RULES: RuleConfig = {
  'no-unknown-attributes': 'error',
  // The one style hono/jsx writes (`<meta … />`, `required=""`): valid, like the other styles.
  'void-style': ['error', { style: 'selfclosing' }],
  'attribute-boolean-style': ['error', { style: 'empty' }],
  'attribute-empty-style': ['error', { style: 'empty' }],
  // Off: WCAG technique H32 (a submit button in every form) is not HTML validity, and the passkey
  // sign-in form has none on purpose: its button asks the authenticator, then the script submits.
  'wcag/h32': 'off',
}

const fragments = new HtmlValidate({ extends: ['html-validate:recommended'], rules: RULES })
// A whole page also has its doctype, references that resolve, headings in order. SRI only for
// scripts from another origin: ours are same-origin, named by their content's hash.
const pages = new HtmlValidate({
  extends: ['html-validate:recommended', 'html-validate:document'],
  rules: { ...RULES, 'require-sri': ['error', { target: 'crossorigin' }] },
} satisfies ConfigData)

export type Served = { kind: 'page' | 'fragment'; html: string }

/** What html-validate finds wrong in a whole page or an htmx fragment, one line per error. */
export async function htmlErrors({ kind, html }: Served): Promise<string[]> {
  const report = await (kind === 'page' ? pages : fragments).validateString(html)
  return report.results.flatMap((result) =>
    result.messages.map(
      (message) => `${message.line}:${message.column} ${message.message} (${message.ruleId})`,
    ),
  )
}

/** A whole page (a navigation) or an htmx fragment from the app; anything else is not checked. */
function servedKind(response: Response, appUrls: string[]): Served['kind'] | null {
  const request = response.request()
  const origin = new URL(response.url()).origin
  if (!appUrls.some((url) => new URL(url).origin === origin)) return null
  // A redirect or a 204 carries no HTML.
  if (response.status() === 204 || (response.status() >= 300 && response.status() < 400))
    return null
  if (!response.headers()['content-type']?.startsWith('text/html')) return null
  if (request.resourceType() === 'document') return 'page'
  return request.headers()['hx-request'] === 'true' ? 'fragment' : null
}

type Pending = { label: string; kind: Served['kind']; html: Promise<string | Error> }

/**
 * Checks the HTML a browser is served by the app at `appUrl()` (one address, or several servers'), the bytes off the wire (not the DOM
 * scripts have since changed): after each test, every page and htmx fragment any context of the
 * browser received during it is validated, and the test fails naming each invalid one and its
 * errors. Returns what to call with the browser once it is launched.
 */
export function validateServedHtml(appUrl: () => string | string[]): (browser: Browser) => void {
  let served: Pending[] = []
  afterEach(async () => {
    const responses = served
    served = []
    const failures: string[] = []
    for (const { label, kind, html } of responses) {
      const text = await html
      const errors =
        typeof text === 'string'
          ? await htmlErrors({ kind, html: text })
          : [`its body could not be read: ${text.message}`]
      if (errors.length > 0) failures.push(`${label}\n  ${errors.join('\n  ')}`)
    }
    expect(failures, `invalid HTML in ${failures.length} of ${responses.length} responses`).toEqual(
      [],
    )
  })
  return (browser) => {
    browser.on('context', (context) =>
      context.on('response', (response) => {
        const kind = servedKind(response, [appUrl()].flat())
        if (kind === null) return
        const { pathname, search } = new URL(response.url())
        const request = `${response.request().method()} ${pathname}${search}`
        served.push({
          label: `${request} → ${response.status()} (${kind})`,
          kind,
          // Asked for at once: the page may be gone by the end of the test.
          html: response.text().catch((error: Error) => error),
        })
      }),
    )
  }
}
