import type { FamilySearch } from '../services/records/family-search'
import { agentFamilyPath, agentNetworkActionPath, PATHS } from '../paths'
import { ActionButton, AGENTS_TITLE, AgentCard, when } from './agents-shared'
import { StepLink } from './components'

type BlockedNetwork = { network: string; detail: string; until: number }

export type AgentSearchProps = {
  agent: string
  q: string
  results: FamilySearch | null
  networks: BlockedNetwork[]
  notice?: string
}

/** The console's home: a search by number, name or address, and the networks limited now. */
export function AgentSearch(props: AgentSearchProps) {
  return (
    <AgentCard title="Rechercher une famille" agent={props.agent} notice={props.notice}>
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
            <table>
              <caption>
                {props.results.total} famille{props.results.total > 1 ? 's' : ''}
                {props.results.pages > 1 &&
                  ` · page ${props.results.page} sur ${props.results.pages}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Numéro</th>
                  <th scope="col">Nom</th>
                  <th scope="col">E-mail</th>
                </tr>
              </thead>
              <tbody>
                {props.results.rows.map((family) => (
                  <tr>
                    <td>
                      <a href={agentFamilyPath(family.familyNumber)}>{family.familyNumber}</a>
                    </td>
                    <td>
                      {family.lastName} {family.firstName}
                    </td>
                    <td>{family.email ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pages q={props.q} results={props.results} />
          </>
        ))}
      <NetworkBlocks networks={props.networks} />
    </AgentCard>
  )
}

/** « Page précédente · Page suivante »: plain links that htmx follows too. */
function Pages({ q, results }: { q: string; results: FamilySearch }) {
  if (results.pages === 1) return null
  const href = (page: number) => `${PATHS.agents}?${new URLSearchParams({ q, page: String(page) })}`
  return (
    <p class="links">
      {results.page > 1 && <StepLink href={href(results.page - 1)}>Page précédente</StepLink>}
      {results.page > 1 && results.page < results.pages && ' · '}
      {results.page < results.pages && (
        <StepLink href={href(results.page + 1)}>Page suivante</StepLink>
      )}
    </p>
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
                    action={agentNetworkActionPath(row.network, 'liftLimits')}
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

/** The search step as a page or fragment (GET /agents, and after a network's limits are lifted). */
export const agentSearchStep = (props: AgentSearchProps) => ({
  title: AGENTS_TITLE,
  body: <AgentSearch {...props} />,
})
