import type { OutboxMail } from '../services/records/outbox'
import { Card } from './components'
import { PATHS } from '../paths'

export const DEV_MAILS_TITLE = 'Boîte mail de développement'

/** Development only: what the app sent, newest first, as a family would read it (text part). */
export function DevMailbox({ mails }: { mails: OutboxMail[] }) {
  return (
    <Card title={DEV_MAILS_TITLE}>
      <p class="intro">
        Les e-mails envoyés par l'application, du plus récent au plus ancien. Cette page n'existe
        qu'en développement (<a href={PATHS.devMailsJson}>JSON</a>).
      </p>
      <p class="intro">
        En développement, le contenu des e-mails est conservé pour cette page. Partout ailleurs, un
        e-mail contenant un mot de passe temporaire est effacé dès qu'il est délivré ou expiré.
      </p>
      {mails.length === 0 && <p>Aucun e-mail envoyé pour l'instant.</p>}
      {mails.map((mail) => (
        <article class="mail" aria-label={mail.subject}>
          <h2>{mail.subject}</h2>
          <p>
            À : {mail.recipient} — {new Date(mail.createdAt).toISOString()} — {mail.status}
          </p>
          <pre>{mail.text ?? '(contenu supprimé)'}</pre>
        </article>
      ))}
    </Card>
  )
}

export const devMailboxStep = (mails: OutboxMail[]) => ({
  title: DEV_MAILS_TITLE,
  body: <DevMailbox mails={mails} />,
})
