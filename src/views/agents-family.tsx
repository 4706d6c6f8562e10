import type { FamilyOverview } from '../services/flows/agents'
import { MAILS_PAGE_SIZE } from '../services/records/outbox-reads'
import { EVENTS_PAGE_SIZE, type SecurityEventType } from '../services/records/security-events'
import { agentFamilyActionPath, agentFamilyPath, PATHS, type AgentAction } from '../paths'
import {
  ACTION_LABELS,
  ActionButton,
  AGENTS_TITLE,
  AgentPage,
  Confirmation,
  counted,
  journalAction,
  MAIL_KINDS,
  MAIL_STATUSES,
  pageCount,
  pastTheEnd,
  Pager,
  Table,
  when,
  type ActionTarget,
} from './agents-shared'

const EVENTS: Record<SecurityEventType, string> = {
  sign_in_succeeded: 'connexion réussie',
  sign_in_failed: 'connexion refusée',
  temporary_password_requested: 'mot de passe temporaire demandé',
  temporary_password_used: 'mot de passe temporaire utilisé',
  password_changed: 'mot de passe changé',
  limit_reached: 'limite atteinte',
  family_number_requested: 'numéro de famille demandé',
  agent_action: 'action d’un agent',
  passkey_added: 'clé d’accès ajoutée',
  passkey_removed: 'clé d’accès supprimée',
  franceconnect_linked: 'FranceConnect relié',
  franceconnect_unlinked: 'FranceConnect délié',
}

type Overview = FamilyOverview

const clock = new Intl.DateTimeFormat('fr-FR', {
  hour: 'numeric',
  minute: '2-digit',
  timeZone: 'Europe/Paris',
})
const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' })
/** « 10 h 40 » today, « 03/12/2026 à 10 h 40 » another day. */
function at(ms: number): string {
  const time = clock.format(new Date(ms)).replace(':', ' h ')
  const date = day.format(new Date(ms))
  return date === day.format(new Date()) ? time : `${date} à ${time}`
}

/**
 * The family's state in plain words, first on its page: what an agent with a parent on the phone
 * needs to know at once (docs/agents-console.md).
 */
function familyState(overview: Overview): string[] {
  const { family } = overview
  if (family.closedAt !== null) {
    return [`Fermée le ${when(family.closedAt)} (absente du dernier import de la commune).`]
  }
  const state: string[] = []
  for (const limit of overview.limits) {
    state.push(
      limit.what === 'connexions depuis des appareils inconnus'
        ? `Bloquée pour les appareils inconnus jusqu’à ${at(limit.until)}.`
        : `Bloquée aussi sur ses appareils de confiance jusqu’à ${at(limit.until)}.`,
    )
  }
  const temporary = overview.temporaryPassword
  if (temporary) {
    state.push(
      `Mot de passe temporaire envoyé à ${at(temporary.createdAt)}, valable jusqu’à ${at(temporary.expiresAt)}.`,
    )
  }
  if (!family.passwordHash && !temporary) {
    state.push('N’a pas encore choisi de mot de passe : « Mot de passe oublié » l’y mène.')
  }
  return state.length > 0 ? state : ['Peut se connecter.']
}

/** One of a family's actions: its button, posting to the family's URL for it. */
function FamilyAction(props: { number: string; action: AgentAction; target?: ActionTarget }) {
  return (
    <ActionButton
      action={agentFamilyActionPath(props.number, props.action)}
      label={ACTION_LABELS[props.action]}
      target={props.target}
    />
  )
}

/** An action asked for and not yet confirmed: the question, and what the confirmation posts. */
export type PendingAction = {
  action: AgentAction
  question: string
  detail?: string
  target?: ActionTarget
}

export type AgentFamilyProps = { overview: Overview; notice?: string; pending?: PendingAction }

/** The family's page, with its mails and events at the pages asked for. */
const familyPagePath = (number: string, pages: { mails: number; events: number }) => {
  const query = new URLSearchParams()
  if (pages.mails > 1) query.set('e-mails', String(pages.mails))
  if (pages.events > 1) query.set('evenements', String(pages.events))
  const search = query.toString()
  return `${agentFamilyPath(number)}${search ? `?${search}` : ''}`
}

/**
 * One family as an agent sees it: its state first; then, in two columns from 1024 pixels, who it is
 * and its ways in, and what to do and what happened (its mails and events, by pages).
 */
export function AgentFamily({ overview, notice, pending }: AgentFamilyProps) {
  const { family } = overview
  const number = family.familyNumber
  const pages = { mails: overview.mails.page, events: overview.events.page }
  return (
    <AgentPage
      title={
        <>
          {family.lastName} {family.firstName}
        </>
      }
      notice={notice}
    >
      <ul class="state" aria-label="État">
        {familyState(overview).map((line) => (
          <li>
            <strong>{line}</strong>
          </li>
        ))}
      </ul>
      {pending && (
        <Confirmation
          question={pending.question}
          detail={pending.detail}
          action={agentFamilyActionPath(number, pending.action)}
          target={pending.target}
          cancel={familyPagePath(number, pages)}
        />
      )}
      <div class="columns">
        <div>
          <FamilyFacts overview={overview} />
          <WaysIn overview={overview} />
        </div>
        <div>
          <h2>Actions</h2>
          <div class="actions">
            {family.email && family.closedAt === null && (
              <FamilyAction number={number} action="sendTemporaryPassword" />
            )}
            <FamilyAction number={number} action="endSessions" />
            <FamilyAction number={number} action="voidTemporaryPassword" />
            <FamilyAction number={number} action="liftLimits" />
            {overview.devices.length > 0 && <FamilyAction number={number} action="forgetDevices" />}
          </div>
          <p>
            <a href={`${PATHS.agentsJournal}?${new URLSearchParams({ famille: number })}`}>
              Les actions des agents sur cette famille
            </a>
          </p>
          <History overview={overview} href={(next) => familyPagePath(number, next)} />
        </div>
      </div>
    </AgentPage>
  )
}

function FamilyFacts({ overview }: { overview: Overview }) {
  const { family } = overview
  return (
    <>
      <h2>La famille</h2>
      <dl>
        <dt>Numéro de famille</dt>
        <dd>{family.familyNumber}</dd>
        <dt>Accès</dt>
        <dd>
          {family.closedAt === null
            ? 'ouvert'
            : `fermé le ${when(family.closedAt)} (absente de l’export de la commune) : rouvert par un import qui la contient`}
        </dd>
        <dt>Adresse e-mail</dt>
        <dd>{family.email ?? 'aucune'}</dd>
        <dt>Mot de passe</dt>
        <dd>{family.passwordHash ? 'choisi' : 'pas encore choisi'}</dd>
        <dt>Dernière connexion</dt>
        <dd>{when(family.lastSignInAt)}</dd>
        <dt>Sessions ouvertes</dt>
        <dd>{overview.liveSessions}</dd>
        <dt>Limites en cours</dt>
        <dd>
          {overview.limits.length === 0
            ? 'aucune'
            : overview.limits
                .map((limit) => `${limit.what} jusqu’au ${when(limit.until)}`)
                .join(' ; ')}
        </dd>
      </dl>
    </>
  )
}

/** Its trusted devices, passkeys and FranceConnect links, each with its removal. */
function WaysIn({ overview }: { overview: Overview }) {
  const number = overview.family.familyNumber
  return (
    <>
      <h2>Appareils de confiance</h2>
      <Table
        label="Appareils de confiance"
        empty="Aucun appareil : chaque connexion compte comme venant d’un appareil inconnu."
        columns={['Première connexion', 'Dernière connexion']}
        rows={overview.devices.map((device) => [
          when(device.firstSignInAt),
          when(device.lastSignInAt),
        ])}
      />
      <h2>Clés d’accès</h2>
      <Table
        label="Clés d’accès"
        empty="Aucune clé d’accès."
        columns={['Nom', 'Créée', 'Dernière utilisation', 'Action']}
        rows={overview.passkeys.map((passkey) => [
          passkey.name,
          when(passkey.createdAt),
          when(passkey.lastUsedAt),
          <FamilyAction number={number} action="removePasskey" target={{ passkey: passkey.id }} />,
        ])}
      />
      <h2>FranceConnect</h2>
      <Table
        label="FranceConnect"
        empty="Aucun adulte relié."
        columns={['Adulte (selon FranceConnect)', 'Relié', 'Action']}
        rows={overview.franceConnectLinks.map((link) => [
          `${link.givenName} ${link.familyName}`,
          when(link.linkedAt),
          <FamilyAction number={number} action="unlinkFranceConnect" target={{ link: link.id }} />,
        ])}
      />
    </>
  )
}

/** The family's mails (never a body or an address) and its events, a page of each. */
function History(props: {
  overview: Overview
  href: (pages: { mails: number; events: number }) => string
}) {
  const { overview, href } = props
  const { mails, events } = overview
  const number = overview.family.familyNumber
  return (
    <>
      <h2>E-mails</h2>
      <Table
        label="E-mails"
        empty={pastTheEnd('Aucun e-mail envoyé.', mails.total)}
        caption={counted(mails.total, 'e-mail', mails.page, MAILS_PAGE_SIZE)}
        columns={['Date', 'Type', 'État', 'Essais', 'Dernière erreur', 'Action']}
        rows={mails.rows.map((mail) => [
          when(mail.createdAt),
          MAIL_KINDS[mail.kind],
          MAIL_STATUSES[mail.status],
          mail.attempts,
          mail.lastError ?? '—',
          mail.kind === 'password_changed' && mail.status === 'failed' && (
            <FamilyAction number={number} action="resendNotice" target={{ mail: mail.id }} />
          ),
        ])}
      />
      <Pager
        page={mails.page}
        pages={pageCount(mails.total, MAILS_PAGE_SIZE)}
        href={(page) => href({ mails: page, events: events.page })}
      />
      <h2>Événements</h2>
      <Table
        label="Événements"
        empty={pastTheEnd('Aucun événement enregistré.', events.total)}
        caption={counted(events.total, 'événement', events.page, EVENTS_PAGE_SIZE)}
        columns={['Date', 'Événement', 'Détail']}
        rows={events.rows.map((event) => [
          when(event.createdAt),
          EVENTS[event.type],
          event.agent
            ? `${journalAction(event.action) ?? 'action'} par ${event.agent} : ${event.detail ?? '—'}`
            : (event.detail ?? '—'),
        ])}
      />
      <Pager
        page={events.page}
        pages={pageCount(events.total, EVENTS_PAGE_SIZE)}
        href={(page) => href({ mails: mails.page, events: page })}
      />
    </>
  )
}

/** A family's page as a page or fragment (GET, a question to confirm, an action's outcome). */
export const agentFamilyStep = (agent: string, props: AgentFamilyProps) => ({
  title: `${props.overview.family.lastName} ${props.overview.family.firstName} – ${AGENTS_TITLE}`,
  body: <AgentFamily {...props} />,
  // Not « Rechercher »'s page: none of the header's links is marked.
  desk: { agent },
})
