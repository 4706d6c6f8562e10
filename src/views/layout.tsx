import type { Child } from 'hono/jsx'
import { assets } from '../assets.gen'
import { PATHS } from '../paths'

const SITE_NAME = 'Accès famille'

export const documentTitle = (title: string) => `${title} – ${SITE_NAME}`

type DocumentProps = {
  title: string
  nonce: string
  portalName: string
  contactText: string
  accessibilityStatus: string
  children: Child
}

// htmx's own indicator <style> would break the strict CSP (no inline style): the stylesheet carries it.
// Back and forward reload the page: our htmx answers are fragments of <main>, not whole documents.
export const HTMX_CONFIG = 'includeIndicatorCSS:false, history:reload'

// For search engines and link previews (Lighthouse SEO): what the page is, in one French sentence.
const description = (portalName: string) =>
  `${portalName} : connectez-vous à votre espace famille avec votre numéro de famille, ou retrouvez l'accès avec « Mot de passe oublié ».`

/** The whole page; htmx requests get only the `<main>` content (see src/http/respond.tsx). */
export function Document(props: DocumentProps) {
  const { title, nonce, portalName, contactText, accessibilityStatus, children } = props
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="description" content={description(portalName)} />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{documentTitle(title)}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={assets.css} />
        <script src={assets.htmx} defer nonce={nonce}></script>
        <script src={assets.script} defer nonce={nonce}></script>
      </head>
      <body>
        <header class="banner">
          <p>{portalName}</p>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer>
          <p>{contactText}</p>
          {/* Décret n° 2019-768: every page states its accessibility status and links to the rest. */}
          <ul class="legal">
            <li>
              <a href={PATHS.accessibility}>Accessibilité : {accessibilityStatus}</a>
            </li>
            <li>
              <a href={PATHS.personalData}>Données personnelles</a>
            </li>
            <li>
              <a href={PATHS.legalNotice}>Mentions légales</a>
            </li>
          </ul>
        </footer>
      </body>
    </html>
  )
}
