import { JOURNAL_PAGE_SIZE } from '../services/records/security-events'
import { agentFamilyPath, PATHS } from '../paths'
import {
  AGENTS_TITLE,
  AgentPage,
  journalAction,
  pageCount,
  pastTheEnd,
  Pager,
  counted,
  Table,
  when,
} from './agents-shared'

type JournalRow = {
  id: number
  createdAt: number
  agent: string | null
  action: string | null
  detail: string | null
  network: string | null
  familyNumber: string | null
  lastName: string | null
  firstName: string | null
}

export type AgentJournalProps = {
  agent: string
  filter: { agent: string; famille: string }
  // The family number typed, when it is not one (the form is shown again with it).
  error?: string
  journal: { rows: JournalRow[]; total: number; page: number; agents: string[] }
}

const journalPath = (filter: AgentJournalProps['filter'], page: number) => {
  const query = new URLSearchParams()
  if (filter.agent) query.set('agent', filter.agent)
  if (filter.famille) query.set('famille', filter.famille)
  if (page > 1) query.set('page', String(page))
  const search = query.toString()
  return `${PATHS.agentsJournal}${search ? `?${search}` : ''}`
}

/**
 * What agents did (docs/agents-console.md): every action, newest first, 50 a page, by one agent or
 * on one family if asked; kept as long as the security events (a year).
 */
export function AgentJournal({ filter, error, journal }: AgentJournalProps) {
  return (
    <AgentPage title="Journal des actions des agents">
      <form method="get" action={PATHS.agentsJournal} class="filters">
        <div class="field">
          <label for="agent">Agent</label>
          <select id="agent" name="agent">
            <option value="">Tous les agents</option>
            {journal.agents.map((agent) => (
              <option value={agent} selected={agent === filter.agent}>
                {agent}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="famille">Numéro de famille</label>
          <input
            id="famille"
            name="famille"
            type="text"
            value={filter.famille}
            inputmode="numeric"
            autocomplete="off"
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'famille-error' : undefined}
          />
          {error && (
            <p id="famille-error" class="error">
              {error}
            </p>
          )}
        </div>
        <button type="submit">Filtrer</button>
      </form>
      <Table
        label="Actions des agents"
        empty={pastTheEnd(
          `Aucune action enregistrée${filter.agent || filter.famille ? ' pour ce filtre' : ''}.`,
          journal.total,
        )}
        caption={counted(journal.total, 'action', journal.page, JOURNAL_PAGE_SIZE)}
        columns={['Date', 'Agent', 'Famille', 'Action', 'Résultat']}
        rows={journal.rows.map((row) => [
          when(row.createdAt),
          row.agent,
          row.familyNumber ? (
            <a href={agentFamilyPath(row.familyNumber)}>
              {row.lastName} {row.firstName} ({row.familyNumber})
            </a>
          ) : row.network ? (
            `réseau ${row.network.slice(0, 12)}`
          ) : (
            '—'
          ),
          journalAction(row.action) ?? row.detail ?? '—',
          row.action ? (row.detail ?? '—') : '—',
        ])}
      />
      <Pager
        page={journal.page}
        pages={pageCount(journal.total, JOURNAL_PAGE_SIZE)}
        href={(page) => journalPath(filter, page)}
      />
    </AgentPage>
  )
}

export const agentJournalStep = (props: AgentJournalProps) => ({
  title: `Journal – ${AGENTS_TITLE}`,
  body: <AgentJournal {...props} />,
  desk: { agent: props.agent, page: 'journal' as const },
  status: props.error ? (422 as const) : undefined,
})
