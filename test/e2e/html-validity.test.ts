import { describe, expect, it } from 'vitest'
import { LocalClient } from '../../scripts/lib/local-client'
import { baseUrl } from '../support/node/browser-app'
import { htmlErrors } from '../support/node/html-validity'

// The check every browser walk runs on what it is served (test/support/node/chromium.ts), here on
// the app's own bytes: it must pass them, and fail them once htmx's bare attributes come back.
describe('the HTML validity check of every page the browser tests see (RGAA 8.2)', () => {
  it('passes the sign-in page as served, and fails it once its form says hx-post', async () => {
    const html = await (await fetch(`${baseUrl()}/connexion`)).text()
    expect(await htmlErrors({ kind: 'page', html })).toEqual([])

    const bare = html.replace(' data-hx-post="/connexion"', ' hx-post="/connexion"')
    expect(bare).not.toBe(html)
    expect(await htmlErrors({ kind: 'page', html: bare })).toEqual([
      expect.stringMatching(
        /^1:\d+ Attribute "hx-post" is not allowed on <form> element \(no-unknown-attributes\)$/,
      ),
    ])
  })

  it('passes an htmx fragment without asking it for a doctype, and fails its bare hx-get', async () => {
    const { body } = await new LocalClient(baseUrl()).get('/connexion', { htmx: true })
    expect(body).not.toContain('<!DOCTYPE')
    expect(await htmlErrors({ kind: 'fragment', html: body })).toEqual([])
    // The same bytes as a whole page lack what a page must have.
    expect(await htmlErrors({ kind: 'page', html: body })).toContainEqual(
      expect.stringContaining('(missing-doctype)'),
    )

    const bare = body.replaceAll(' data-hx-get=', ' hx-get=')
    expect(await htmlErrors({ kind: 'fragment', html: bare })).toContainEqual(
      expect.stringContaining('Attribute "hx-get" is not allowed on <a> element'),
    )
  })
})
