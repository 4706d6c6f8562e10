import type { Family, OutboxMail, SecurityEventType } from '../db/schema'
import { PATHS } from '../paths'
import { Form, Card, StepLink } from './components'

// The agents' console (PRODUCT.md §11): French, plain forms, tables; htmx swaps them where present.
export const AGENTS_TITLE = 'Console des agents'

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})
const when = (ms: number | null) => (ms === null ? '—' : dateTime.format(new Date(ms)))

const MAIL_KINDS: Record<OutboxMail['kind'], string> = {
  temporary_password: 'mot de passe temporaire',
  password_changed: 'avis de changement',
  family_number: 'numéro de famille',
}
const MAIL_STATUSES: Record<OutboxMail['status'], string> = {
  pending: 'en attente',
  sending: 'en cours d’envoi',
  delivered: 'remis',
  failed: 'échec',
  expired: 'expiré',
}
const EVENTS: Record<SecurityEventType, string> = {
  sign_in_succeeded: 'connexion réussie',
  sign_in_failed: 'connexion refusée',
  temporary_password_requested: 'mot de passe temporaire demandé',
  temporary_password_used: 'mot de passe temporaire utilisé',
  password_changed: 'mot de passe changé',
  limit_reached: 'limite atteinte',
  family_number_requested: 'numéro de famille demandé',
  agent_action: 'action d’un agent',
}

export const familyPath = (familyNumber: string) => `${PATHS.agents}/familles/${familyNumber}`

function AgentBar({ agent }: { agent: string }) {
  return (
    <p class="aside">
      Connecté en tant que {agent} · <StepLink href={PATHS.agents}>Rechercher une famille</StepLink>{' '}
      · <StepLink href={PATHS.agentsMail}>Courrier</StepLink>
    </p>
  )
}

type BlockedNetwork = { network: string; detail: string; until: number }

export function AgentSearch(props: {
  agent: string
  q: string
  results: Family[] | null
  networks: BlockedNetwork[]
  notice?: string
}) {
  return (
    <Card title="Rechercher une famille" wide>
      <AgentBar agent={props.agent} />
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <form
        method="get"
        action={PATHS.agents}
        hx-get={PATHS.agents}
        hx-target="#main"
        hx-push-url="true"
      >
        <div class="field">
          <label for="q">Numéro de famille, nom ou adresse e-mail</label>
          <input id="q" name="q" type="search" value={props.q} maxlength={254} autocomplete="off" />
        </div>
        <button type="submit">Rechercher</button>
      </form>
      {props.results !== null &&
        (props.results.length === 0 ? (
          <p role="status">Aucune famille ne correspond à « {props.q} ».</p>
        ) : (
          <table>
            <caption>{props.results.length} famille(s)</caption>
            <thead>
              <tr>
                <th scope="col">Numéro</th>
                <th scope="col">Nom</th>
                <th scope="col">E-mail</th>
              </tr>
            </thead>
            <tbody>
              {props.results.map((family) => (
                <tr>
                  <td>
                    <a href={familyPath(family.familyNumber)}>{family.familyNumber}</a>
                  </td>
                  <td>
                    {family.lastName} {family.firstName}
                  </td>
                  <td>{family.email ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <NetworkBlocks networks={props.networks} />
    </Card>
  )
}

/** Networks that per-client limits hold now: many families may be behind one (a town hall, a school). */
function NetworkBlocks({ networks }: { networks: BlockedNetwork[] }) {
  return (
    <>
      <h2>Réseaux limités</h2>
      {networks.length === 0 ? (
        <p>Aucun réseau n’est limité en ce moment.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Réseau (empreinte)</th>
              <th scope="col">Limite</th>
              <th scope="col">Jusqu’à</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {networks.map((row) => (
              <tr>
                <td>{row.network.slice(0, 12)}</td>
                <td>{row.detail.startsWith('sign-in') ? 'connexions' : 'demandes d’e-mail'}</td>
                <td>{when(row.until)}</td>
                <td>
                  <ActionButton
                    action={`${PATHS.agents}/reseaux/${row.network}/levee-des-limites`}
                    label="Lever les limites de ce réseau"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
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
}

function ActionButton(props: { action: string; label: string; mailId?: number }) {
  return (
    <Form action={props.action}>
      {props.mailId !== undefined && (
        <input type="hidden" name="mail" value={String(props.mailId)} />
      )}
      <button type="submit">{props.label}</button>
    </Form>
  )
}

export function AgentFamily({
  agent,
  overview,
  notice,
}: {
  agent: string
  overview: Overview
  notice?: string
}) {
  const { family } = overview
  const base = familyPath(family.familyNumber)
  return (
    <Card
      title={
        <>
          {family.lastName} {family.firstName}
        </>
      }
      wide
    >
      <AgentBar agent={agent} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <dl>
        <dt>Numéro de famille</dt>
        <dd>{family.familyNumber}</dd>
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
        {family.email && (
          <ActionButton
            action={`${base}/mot-de-passe-temporaire`}
            label="Envoyer un mot de passe temporaire"
          />
        )}
        <ActionButton
          action={`${base}/fin-des-sessions`}
          label="Fermer toutes les sessions et annuler le mot de passe temporaire"
        />
        <ActionButton
          action={`${base}/annulation-mot-de-passe-temporaire`}
          label="Annuler le mot de passe temporaire"
        />
        <ActionButton action={`${base}/levee-des-limites`} label="Lever les limites" />
        {overview.devices.length > 0 && (
          <ActionButton
            action={`${base}/oubli-des-appareils`}
            label="Oublier tous les appareils de confiance"
          />
        )}
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
      <h2>Derniers e-mails</h2>
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
                  <ActionButton action={`${base}/renvoi-avis`} label="Renvoyer" mailId={mail.id} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Derniers événements</h2>
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
    </Card>
  )
}

type Stats = Record<OutboxMail['status'], number> & { oldestPendingAgeSeconds: number | null }

export function AgentMail(props: {
  agent: string
  stats: Stats
  failures: Array<Pick<OutboxMail, 'id' | 'kind' | 'attempts' | 'lastError' | 'createdAt'>>
}) {
  const { stats } = props
  return (
    <Card title="Courrier" wide>
      <AgentBar agent={props.agent} />
      <dl>
        {(Object.keys(MAIL_STATUSES) as OutboxMail['status'][]).map((status) => (
          <>
            <dt>{MAIL_STATUSES[status]}</dt>
            <dd>{stats[status]}</dd>
          </>
        ))}
        <dt>Plus ancien e-mail en attente</dt>
        <dd>
          {stats.oldestPendingAgeSeconds === null
            ? 'aucun'
            : `depuis ${Math.ceil(stats.oldestPendingAgeSeconds / 60)} minute(s)`}
        </dd>
      </dl>
      <h2>Derniers échecs</h2>
      {props.failures.length === 0 ? (
        <p>Aucun échec.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Type</th>
              <th scope="col">Essais</th>
              <th scope="col">Raison</th>
            </tr>
          </thead>
          <tbody>
            {props.failures.map((mail) => (
              <tr>
                <td>{when(mail.createdAt)}</td>
                <td>{MAIL_KINDS[mail.kind]}</td>
                <td>{mail.attempts}</td>
                <td>{mail.lastError ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  )
}
