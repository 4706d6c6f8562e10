import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { assets } from '../assets.gen'
import type { AppEnv } from '../env'
import type { AppPath } from '../paths'
import { DeskDocument, type Desk } from '../views/agents-layout'
import { Document, documentTitle } from '../views/layout'

export const isHtmx = (c: Context<AppEnv>) => c.req.header('HX-Request') === 'true'

// `desk`: a page of the agents' console, in its own layout (views/agents-layout.tsx).
export type View = { title: string; body: Child; status?: ContentfulStatusCode; desk?: Desk }

/**
 * One component, two uses (Hypermedia Systems, ch. 5): a whole page for a browser, or only the step
 * that changes (with its <title>, which htmx applies) for an htmx request.
 */
export async function render(c: Context<AppEnv>, view: View) {
  c.header('Vary', 'HX-Request')
  const status = view.status ?? 200
  if (isHtmx(c)) {
    const fragment = (
      <>
        <title>{documentTitle(view.title)}</title>
        {view.body}
      </>
    )
    return c.html(fragment, status)
  }
  // The stylesheet is asked for as soon as the headers arrive, not once the HTML is in: a round trip
  // less before the page is drawn on a slow line (and Cloudflare can send it ahead as 103 Early Hints).
  c.header('Link', `<${assets.css}>; rel=preload; as=style`)
  const { config } = c.var
  const nonce = c.get('secureHeadersNonce') ?? ''
  const page = view.desk ? (
    <DeskDocument
      title={view.title}
      nonce={nonce}
      communeName={config.publicService.communeName}
      desk={view.desk}
    >
      {view.body}
    </DeskDocument>
  ) : (
    <Document
      title={view.title}
      nonce={nonce}
      portalName={config.portalName}
      contactText={config.contactText}
      accessibilityStatus={config.publicService.accessibilityStatus}
    >
      {view.body}
    </Document>
  )
  return c.html(`<!DOCTYPE html>${await page.toString()}`, status)
}

/**
 * After a successful post, the next step in one round trip: for htmx, its fragment at once with
 * HX-Push-Url (the address bar, reload and back button follow); for a plain form, 303 to it.
 */
export async function nextStep(
  c: Context<AppEnv>,
  path: AppPath,
  view: () => View | Promise<View>,
) {
  if (!isHtmx(c)) return c.redirect(path, 303)
  c.header('HX-Push-Url', path)
  return render(c, await view())
}

/**
 * Where there is no step to answer with (a page that needs a session it does not have): 303 for a
 * plain request; for htmx, 204 + HX-Location, which fetches that page into <main>.
 */
export function redirectTo(c: Context<AppEnv>, path: AppPath): Response {
  if (isHtmx(c)) {
    c.header('HX-Location', JSON.stringify({ path, target: '#main' }))
    return c.body(null, 204)
  }
  return c.redirect(path, 303)
}
