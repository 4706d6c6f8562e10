import type { Family } from '../services/records/families'
import type { OutboxMail } from '../services/records/outbox'
import type { PasskeySummary } from '../services/records/passkeys'
import type { SecurityEventType } from '../services/records/security-events'
import { agentFamilyActionPath, type AgentAction } from '../paths'
import {
  ActionButton,
  AGENTS_TITLE,
  AgentCard,
  MAIL_KINDS,
  MAIL_STATUSES,
  when,
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

// The buttons' words; their URLs come from AGENT_ACTIONS (src/paths.ts).
const ACTION_LABELS: Record<AgentAction, string> = {
  sendTemporaryPassword: 'Envoyer un mot de passe temporaire',
  endSessions: 'Fermer toutes les sessions et annuler le mot de passe temporaire',
  voidTemporaryPassword: 'Annuler le mot de passe temporaire',
  liftLimits: 'Lever les limites',
  forgetDevices: 'Oublier tous les appareils de confiance',
  removePasskey: 'Supprimer cette clé d’accès',
  unlinkFranceConnect: 'Délier',
  resendNotice: 'Renvoyer',
}

type Overview = {
  family: Family
  liveSessions: number
  limits: Array<{ what: string; until: number }>
  mails: Array<
    Pick<
      OutboxMail,
      'id' | 'kind' | 'status' | 'attempts' | 'lastError' | 'createdAt' | 'deliveredAt'
    >
  >
  events: Array<{ id: number; type: SecurityEventType; detail: string | null; createdAt: number }>
  devices: Array<{ firstSignInAt: number; lastSignInAt: number }>
  passkeys: PasskeySummary[]
  franceConnectLinks: Array<{ id: number; givenName: string; familyName: string; linkedAt: number }>
  temporaryPassword: { createdAt: number; expiresAt: number } | null
}

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
export function familyState(overview: Overview): string[] {
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
function FamilyAction(props: {
  number: string
  action: AgentAction
  mailId?: number
  passkey?: string
  link?: number
}) {
  return (
    <ActionButton
      action={agentFamilyActionPath(props.number, props.action)}
      label={ACTION_LABELS[props.action]}
      mailId={props.mailId}
      passkey={props.passkey}
      link={props.link}
    />
  )
}

export type AgentFamilyProps = { agent: string; overview: Overview; notice?: string }

/** One family as an agent sees it: the facts, the actions, its devices, its last mails and events. */
export function AgentFamily({ agent, overview, notice }: AgentFamilyProps) {
  const { family } = overview
  const number = family.familyNumber
  return (
    <AgentCard
      title={
        <>
          {family.lastName} {family.firstName}
        </>
      }
      agent={agent}
      notice={notice}
    >
      <ul class="state" aria-label="État">
        {familyState(overview).map((line) => (
          <li>
            <strong>{line}</strong>
          </li>
        ))}
      </ul>
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
      <h2>Appareils de confiance</h2>
      {overview.devices.length === 0 ? (
        <p>Aucun appareil : chaque connexion compte comme venant d’un appareil inconnu.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Première connexion</th>
              <th scope="col">Dernière connexion</th>
            </tr>
          </thead>
          <tbody>
            {overview.devices.map((device) => (
              <tr>
                <td>{when(device.firstSignInAt)}</td>
                <td>{when(device.lastSignInAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Clés d’accès</h2>
      {overview.passkeys.length === 0 ? (
        <p>Aucune clé d’accès.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Nom</th>
              <th scope="col">Créée</th>
              <th scope="col">Dernière utilisation</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {overview.passkeys.map((passkey) => (
              <tr>
                <td>{passkey.name}</td>
                <td>{when(passkey.createdAt)}</td>
                <td>{when(passkey.lastUsedAt)}</td>
                <td>
                  <FamilyAction number={number} action="removePasskey" passkey={passkey.id} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>FranceConnect</h2>
      {overview.franceConnectLinks.length === 0 ? (
        <p>Aucun adulte relié.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Adulte (selon FranceConnect)</th>
              <th scope="col">Relié</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {overview.franceConnectLinks.map((link) => (
              <tr>
                <td>
                  {link.givenName} {link.familyName}
                </td>
                <td>{when(link.linkedAt)}</td>
                <td>
                  <FamilyAction number={number} action="unlinkFranceConnect" link={link.id} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Derniers e-mails</h2>
      {overview.mails.length === 0 ? (
        <p>Aucun e-mail envoyé.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Type</th>
              <th scope="col">État</th>
              <th scope="col">Essais</th>
              <th scope="col">Dernière erreur</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {overview.mails.map((mail) => (
              <tr>
                <td>{when(mail.createdAt)}</td>
                <td>{MAIL_KINDS[mail.kind]}</td>
                <td>{MAIL_STATUSES[mail.status]}</td>
                <td>{mail.attempts}</td>
                <td>{mail.lastError ?? '—'}</td>
                <td>
                  {mail.kind === 'password_changed' && mail.status === 'failed' && (
                    <FamilyAction number={number} action="resendNotice" mailId={mail.id} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Derniers événements</h2>
      {overview.events.length === 0 ? (
        <p>Aucun événement enregistré.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Événement</th>
              <th scope="col">Détail</th>
            </tr>
          </thead>
          <tbody>
            {overview.events.map((event) => (
              <tr>
                <td>{when(event.createdAt)}</td>
                <td>{EVENTS[event.type]}</td>
                <td>{event.detail ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AgentCard>
  )
}

/** A family's page as a page or fragment (GET, and after each action with its notice). */
export const agentFamilyStep = (props: AgentFamilyProps) => ({
  title: AGENTS_TITLE,
  body: <AgentFamily {...props} />,
})
