import type { OutboxMail } from '../services/records/outbox'
import { AGENTS_TITLE, AgentPage, MAIL_KINDS, MAIL_STATUSES, Table, when } from './agents-shared'
import { agentFamilyPath } from '../paths'

type Stats = Record<OutboxMail['status'], number> & { oldestPendingAgeSeconds: number | null }

export type AgentMailProps = {
  agent: string
  stats: Stats
  failures: Array<
    Pick<OutboxMail, 'id' | 'kind' | 'attempts' | 'lastError' | 'createdAt'> & {
      familyNumber: string | null
    }
  >
}

/** The outbox at a glance: how many mails in each state, the oldest waiting, the last failures. */
export function AgentMail(props: AgentMailProps) {
  const { stats } = props
  return (
    <AgentPage title="Courrier">
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
      <Table
        label="Derniers échecs"
        empty="Aucun échec."
        columns={['Date', 'Type', 'Famille', 'Essais', 'Raison']}
        rows={props.failures.map((mail) => [
          when(mail.createdAt),
          MAIL_KINDS[mail.kind],
          mail.familyNumber ? (
            <a href={agentFamilyPath(mail.familyNumber)}>{mail.familyNumber}</a>
          ) : (
            '—'
          ),
          mail.attempts,
          mail.lastError ?? '—',
        ])}
      />
    </AgentPage>
  )
}

export const agentMailStep = (props: AgentMailProps) => ({
  title: `Courrier – ${AGENTS_TITLE}`,
  body: <AgentMail {...props} />,
  desk: { agent: props.agent, page: 'mail' as const },
})
