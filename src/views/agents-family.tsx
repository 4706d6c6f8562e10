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
  journalAction,
  MAIL_KINDS,
  MAIL_STATUSES,
  pageCount,
  Pager,
  Scroll,
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
          <Mails
            overview={overview}
            href={(mails) => familyPagePath(number, { ...pages, mails })}
          />
          <Events
            overview={overview}
            href={(events) => familyPagePath(number, { ...pages, events })}
          />
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
      {overview.devices.length === 0 ? (
        <p>Aucun appareil : chaque connexion compte comme venant d’un appareil inconnu.</p>
      ) : (
        <Scroll label="Appareils de confiance">
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
        </Scroll>
      )}
      <h2>Clés d’accès</h2>
      {overview.passkeys.length === 0 ? (
        <p>Aucune clé d’accès.</p>
      ) : (
        <Scroll label="Clés d’accès">
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
                    <FamilyAction
                      number={number}
                      action="removePasskey"
                      target={{ passkey: passkey.id }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <h2>FranceConnect</h2>
      {overview.franceConnectLinks.length === 0 ? (
        <p>Aucun adulte relié.</p>
      ) : (
        <Scroll label="FranceConnect">
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
                    <FamilyAction
                      number={number}
                      action="unlinkFranceConnect"
                      target={{ link: link.id }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  )
}

function Mails({ overview, href }: { overview: Overview; href: (page: number) => string }) {
  const { rows, total, page } = overview.mails
  const number = overview.family.familyNumber
  return (
    <>
      <h2>E-mails</h2>
      {total === 0 ? (
        <p>Aucun e-mail envoyé.</p>
      ) : (
        <>
          <Scroll label="E-mails">
            <table>
              <caption>{counted(total, 'e-mail', page, MAILS_PAGE_SIZE)}</caption>
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
                {rows.map((mail) => (
                  <tr>
                    <td>{when(mail.createdAt)}</td>
                    <td>{MAIL_KINDS[mail.kind]}</td>
                    <td>{MAIL_STATUSES[mail.status]}</td>
                    <td>{mail.attempts}</td>
                    <td>{mail.lastError ?? '—'}</td>
                    <td>
                      {mail.kind === 'password_changed' && mail.status === 'failed' && (
                        <FamilyAction
                          number={number}
                          action="resendNotice"
                          target={{ mail: mail.id }}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <Pager page={page} pages={pageCount(total, MAILS_PAGE_SIZE)} href={href} />
        </>
      )}
    </>
  )
}

function Events({ overview, href }: { overview: Overview; href: (page: number) => string }) {
  const { rows, total, page } = overview.events
  return (
    <>
      <h2>Événements</h2>
      {total === 0 ? (
        <p>Aucun événement enregistré.</p>
      ) : (
        <>
          <Scroll label="Événements">
            <table>
              <caption>{counted(total, 'événement', page, EVENTS_PAGE_SIZE)}</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Événement</th>
                  <th scope="col">Détail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((event) => (
                  <tr>
                    <td>{when(event.createdAt)}</td>
                    <td>{EVENTS[event.type]}</td>
                    <td>
                      {event.agent
                        ? `${journalAction(event.action) ?? 'action'} par ${event.agent} : ${event.detail ?? '—'}`
                        : (event.detail ?? '—')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <Pager page={page} pages={pageCount(total, EVENTS_PAGE_SIZE)} href={href} />
        </>
      )}
    </>
  )
}

/** « 23 e-mails · page 1 sur 2 ». */
export function counted(total: number, noun: string, page: number, size: number) {
  const pages = pageCount(total, size)
  const words = `${total} ${noun}${total > 1 ? 's' : ''}`
  return pages > 1 ? `${words} · page ${page} sur ${pages}` : words
}

/** A family's page as a page or fragment (GET, a question to confirm, an action's outcome). */
export const agentFamilyStep = (agent: string, props: AgentFamilyProps) => ({
  title: `${props.overview.family.lastName} ${props.overview.family.firstName} – ${AGENTS_TITLE}`,
  body: <AgentFamily {...props} />,
  desk: { agent, page: 'search' as const },
})
