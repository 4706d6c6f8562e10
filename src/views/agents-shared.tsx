import type { Child } from 'hono/jsx'
import type { OutboxMail } from '../services/records/outbox'
import type { AgentAction, JournalAction } from '../paths'
import { Form, StepLink } from './components'

// The agents' console (docs/agents-console.md): French, plain forms, tables; htmx swaps them where present.
export const AGENTS_TITLE = 'Console des agents'

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})
export const when = (ms: number | null) => (ms === null ? '—' : dateTime.format(new Date(ms)))

export const MAIL_KINDS: Record<OutboxMail['kind'], string> = {
  temporary_password: 'mot de passe temporaire',
  password_changed: 'avis de changement',
  family_number: 'numéro de famille',
  passkey_added: 'avis de clé d’accès ajoutée',
  passkey_removed: 'avis de clé d’accès supprimée',
  franceconnect_code: 'code de liaison FranceConnect',
  franceconnect_linked: 'avis de FranceConnect relié',
  franceconnect_unlinked: 'avis de FranceConnect délié',
}
export const MAIL_STATUSES: Record<OutboxMail['status'], string> = {
  pending: 'en attente',
  sending: 'en cours d’envoi',
  delivered: 'remis',
  failed: 'échec',
  expired: 'expiré',
}

// The buttons' words; their URLs come from AGENT_ACTIONS (src/paths.ts).
export const ACTION_LABELS: Record<AgentAction, string> = {
  sendTemporaryPassword: 'Envoyer un mot de passe temporaire',
  endSessions: 'Fermer toutes les sessions et annuler le mot de passe temporaire',
  voidTemporaryPassword: 'Annuler le mot de passe temporaire',
  liftLimits: 'Lever les limites',
  forgetDevices: 'Oublier tous les appareils de confiance',
  removePasskey: 'Supprimer cette clé d’accès',
  unlinkFranceConnect: 'Délier',
  resendNotice: 'Renvoyer',
}

// The journal's words for each action (an action recorded before the journal has none: its detail).
export const JOURNAL_ACTIONS: Record<JournalAction, string> = {
  sendTemporaryPassword: 'mot de passe temporaire envoyé',
  endSessions: 'sessions fermées',
  voidTemporaryPassword: 'mot de passe temporaire annulé',
  liftLimits: 'limites du numéro levées',
  forgetDevices: 'appareils de confiance oubliés',
  removePasskey: 'clé d’accès supprimée',
  unlinkFranceConnect: 'FranceConnect délié',
  resendNotice: 'avis de changement renvoyé',
  liftNetworkLimits: 'limites d’un réseau levées',
}
export const journalAction = (action: string | null) =>
  action && action in JOURNAL_ACTIONS ? JOURNAL_ACTIONS[action as JournalAction] : null

/** Every console page: its title, what the last action did, then the page. */
export function AgentPage(props: { title: Child; notice?: string; children: Child }) {
  return (
    <section class="card" aria-labelledby="step-title">
      <h1 tabindex={-1}>
        <span id="step-title">{props.title}</span>
      </h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.children}
    </section>
  )
}

/** Hidden fields that name what an action acts on (a mail, a passkey, a FranceConnect link). */
export type ActionTarget = { mail?: number; passkey?: string; link?: number }

function TargetFields({ target }: { target: ActionTarget }) {
  return (
    <>
      {Object.entries(target).map(([name, value]) => (
        <input type="hidden" name={name} value={String(value)} />
      ))}
    </>
  )
}

/**
 * One action, one real form: a POST to its own URL, which first answers the question to confirm
 * (Confirmation below), then, confirmed, acts.
 */
export function ActionButton(props: { action: string; label: string; target?: ActionTarget }) {
  return (
    <Form action={props.action}>
      <TargetFields target={props.target ?? {}} />
      <button type="submit" class="secondary">
        {props.label}
      </button>
    </Form>
  )
}

/**
 * What an action will do, asked before it is done (« Fermer les 2 sessions de MARTIN Claire ? »):
 * « Confirmer » posts it again with `confirmation=oui`; « Annuler » goes back to the page. With htmx,
 * focus moves to the question (src/styles/app.js).
 */
export function Confirmation(props: {
  question: string
  detail?: string
  action: string
  target?: ActionTarget
  cancel: string
}) {
  return (
    <section class="confirm" aria-labelledby="confirm-title">
      <h2 id="confirm-title" tabindex={-1} data-focus>
        {props.question}
      </h2>
      {props.detail && <p>{props.detail}</p>}
      <Form action={props.action}>
        <TargetFields target={props.target ?? {}} />
        <input type="hidden" name="confirmation" value="oui" />
        <p class="inline">
          <button type="submit">Confirmer</button>
          <StepLink href={props.cancel}>Annuler</StepLink>
        </p>
      </Form>
    </section>
  )
}

/** « Page précédente · Page suivante », with where one is: plain links that htmx follows too. */
export function Pager(props: { page: number; pages: number; href: (page: number) => string }) {
  const { page, pages, href } = props
  if (pages <= 1) return null
  return (
    <nav class="links" aria-label={`Pages (page ${page} sur ${pages})`}>
      {page > 1 && <StepLink href={href(Math.min(page - 1, pages))}>Page précédente</StepLink>}
      {page > 1 && page < pages && ' · '}
      {page < pages && <StepLink href={href(page + 1)}>Page suivante</StepLink>}
    </nav>
  )
}

export const pageCount = (total: number, size: number) => Math.max(1, Math.ceil(total / size))

/** What a paged table says past its last page (a page number typed or kept from an older link). */
export const pastTheEnd = (empty: string, total: number) =>
  total === 0 ? empty : 'Cette page est au-delà de la dernière : revenez à la page précédente.'

/** « 23 e-mails · page 1 sur 2 ». */
export function counted(total: number, noun: string, page: number, size: number) {
  const pages = pageCount(total, size)
  const words = `${total} ${noun}${total > 1 ? 's' : ''}`
  return pages > 1 ? `${words} · page ${page} sur ${pages}` : words
}

/**
 * A console table, or `empty` when it has no row: its columns, one array of cells a row, scrolling
 * inside its own region on a narrow screen (focusable and named: WCAG 2.1.1).
 */
export function Table(props: {
  label: string
  empty: string
  caption?: string
  columns: string[]
  rows: Child[][]
}) {
  if (props.rows.length === 0) return <p>{props.empty}</p>
  return (
    <section class="scroll" aria-label={props.label} tabindex={0}>
      <table>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((cells) => (
            <tr>
              {cells.map((cell) => (
                <td>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
