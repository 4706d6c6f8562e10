import { SEARCH_PAGE_SIZE, type FamilySearch } from '../services/records/family-search'
import { agentFamilyPath, agentNetworkActionPath, PATHS } from '../paths'
import {
  ActionButton,
  AGENTS_TITLE,
  AgentPage,
  Confirmation,
  Pager,
  counted,
  pastTheEnd,
  Table,
  when,
} from './agents-shared'

type BlockedNetwork = { network: string; detail: string; until: number }

export type AgentSearchProps = {
  agent: string
  q: string
  results: FamilySearch | null
  networks: BlockedNetwork[]
  notice?: string
  // A network whose limits the agent asked to lift, not yet confirmed.
  pending?: string
}

/** The console's home: a search by number, name or address, and the networks limited now. */
export function AgentSearch(props: AgentSearchProps) {
  return (
    <AgentPage title="Rechercher une famille" notice={props.notice}>
      {props.pending && (
        <Confirmation
          question={`Lever les limites du réseau ${props.pending.slice(0, 12)} ?`}
          detail="Les connexions et les demandes d’e-mail venant de ce réseau reprendront aussitôt ; plusieurs familles peuvent être derrière (une mairie, une école)."
          action={agentNetworkActionPath(props.pending, 'liftLimits')}
          cancel={PATHS.agents}
        />
      )}
      <form
        method="get"
        action={PATHS.agents}
        data-hx-get={PATHS.agents}
        data-hx-target="#main"
        data-hx-push-url="true"
      >
        <div class="field">
          <label for="q">Numéro de famille, nom ou adresse e-mail</label>
          <input id="q" name="q" type="search" value={props.q} maxlength={254} autocomplete="off" />
        </div>
        <button type="submit">Rechercher</button>
      </form>
      {props.results !== null &&
        (props.results.total === 0 ? (
          <p role="status">Aucune famille ne correspond à « {props.q} ».</p>
        ) : (
          <>
            <Table
              label="Familles trouvées"
              empty={pastTheEnd('', props.results.total)}
              caption={counted(
                props.results.total,
                'famille',
                props.results.page,
                SEARCH_PAGE_SIZE,
              )}
              columns={['Numéro', 'Nom', 'E-mail']}
              rows={props.results.rows.map((family) => [
                <a href={agentFamilyPath(family.familyNumber)}>{family.familyNumber}</a>,
                `${family.lastName} ${family.firstName}`,
                family.email ?? '—',
              ])}
            />
            <Pager
              page={props.results.page}
              pages={props.results.pages}
              href={(page) =>
                `${PATHS.agents}?${new URLSearchParams({ q: props.q, page: String(page) })}`
              }
            />
          </>
        ))}
      <NetworkBlocks networks={props.networks} />
    </AgentPage>
  )
}

/** Networks that per-client limits hold now: many families may be behind one (a town hall, a school). */
function NetworkBlocks({ networks }: { networks: BlockedNetwork[] }) {
  return (
    <>
      <h2>Réseaux limités</h2>
      <Table
        label="Réseaux limités"
        empty="Aucun réseau n’est limité en ce moment."
        columns={['Réseau (empreinte)', 'Limite', 'Jusqu’à', 'Action']}
        rows={networks.map((row) => [
          row.network.slice(0, 12),
          row.detail.startsWith('sign-in') ? 'connexions' : 'demandes d’e-mail',
          when(row.until),
          <ActionButton
            action={agentNetworkActionPath(row.network, 'liftLimits')}
            label="Lever les limites de ce réseau"
          />,
        ])}
      />
    </>
  )
}

/** The search step as a page or fragment (GET /agents, and after a network's limits are lifted). */
export const agentSearchStep = (props: AgentSearchProps) => ({
  title: props.q ? `« ${props.q} » – ${AGENTS_TITLE}` : AGENTS_TITLE,
  body: <AgentSearch {...props} />,
  desk: { agent: props.agent, page: 'search' as const },
})
