import type { Child } from 'hono/jsx'
import { assets } from '../assets.gen'
import { PATHS } from '../paths'
import { documentTitle, HTMX_CONFIG } from './layout'

/** The console's pages, for the header's links (the current one is marked). */
export type DeskPage = 'search' | 'mail' | 'journal'

const DESK_LINKS: Array<[DeskPage, string, string]> = [
  ['search', PATHS.agents, 'Rechercher'],
  ['mail', PATHS.agentsMail, 'Courrier'],
  ['journal', PATHS.agentsJournal, 'Journal'],
]

export type Desk = { agent: string | null; page?: DeskPage }

/**
 * The agents' console as a desk tool (docs/agents-console.md): its own header (the console, the
 * commune, who is signed in, its three pages), no families' footer, its own stylesheet, so families
 * never download the console's rules. The header's links are plain: each page is its own document.
 */
export function DeskDocument(props: {
  title: string
  nonce: string
  communeName: string
  desk: Desk
  children: Child
}) {
  const { desk } = props
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{documentTitle(props.title)}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={assets.css} />
        <link rel="stylesheet" href={assets.agentsCss} />
        <script src={assets.htmx} defer nonce={props.nonce}></script>
        <script src={assets.script} defer nonce={props.nonce}></script>
      </head>
      <body class="desk">
        <header class="desk-header">
          <p class="desk-name">
            Console des agents <span>{props.communeName}</span>
          </p>
          {desk.agent && (
            <>
              <nav aria-label="Console">
                <ul>
                  {DESK_LINKS.map(([page, href, label]) => (
                    <li>
                      <a href={href} aria-current={page === desk.page ? 'page' : undefined}>
                        {label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <p class="desk-agent">Connecté en tant que {desk.agent}</p>
            </>
          )}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  )
}
