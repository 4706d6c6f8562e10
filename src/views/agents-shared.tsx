import type { Child } from 'hono/jsx'
import type { OutboxMail } from '../services/records/outbox'
import { PATHS } from '../paths'
import { Card, Form, StepLink } from './components'

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

/** Every console page: a wide card, who is signed in and the way to the other pages. */
export function AgentCard(props: {
  title: Child
  agent: string
  notice?: string
  children: Child
}) {
  return (
    <Card title={props.title} wide>
      <p class="aside">
        Connecté en tant que {props.agent} ·{' '}
        <StepLink href={PATHS.agents}>Rechercher une famille</StepLink> ·{' '}
        <StepLink href={PATHS.agentsMail}>Courrier</StepLink>
      </p>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.children}
    </Card>
  )
}

/** One action, one real form: a POST to its own URL, the mail's or passkey's id when it acts on one. */
export function ActionButton(props: {
  action: string
  label: string
  mailId?: number
  passkey?: string
  link?: number
}) {
  return (
    <Form action={props.action}>
      {props.mailId !== undefined && (
        <input type="hidden" name="mail" value={String(props.mailId)} />
      )}
      {props.passkey !== undefined && <input type="hidden" name="passkey" value={props.passkey} />}
      {props.link !== undefined && <input type="hidden" name="link" value={String(props.link)} />}
      <button type="submit">{props.label}</button>
    </Form>
  )
}
