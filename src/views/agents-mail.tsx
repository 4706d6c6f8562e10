import type { OutboxMail } from '../services/records/outbox'
import { AGENTS_TITLE, AgentPage, MAIL_KINDS, MAIL_STATUSES, Scroll, when } from './agents-shared'
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
      {props.failures.length === 0 ? (
        <p>Aucun échec.</p>
      ) : (
        <Scroll label="Derniers échecs">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Famille</th>
                <th scope="col">Essais</th>
                <th scope="col">Raison</th>
              </tr>
            </thead>
            <tbody>
              {props.failures.map((mail) => (
                <tr>
                  <td>{when(mail.createdAt)}</td>
                  <td>{MAIL_KINDS[mail.kind]}</td>
                  <td>
                    {mail.familyNumber ? (
                      <a href={agentFamilyPath(mail.familyNumber)}>{mail.familyNumber}</a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{mail.attempts}</td>
                  <td>{mail.lastError ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </AgentPage>
  )
}

export const agentMailStep = (props: AgentMailProps) => ({
  title: `Courrier – ${AGENTS_TITLE}`,
  body: <AgentMail {...props} />,
  desk: { agent: props.agent, page: 'mail' as const },
})
