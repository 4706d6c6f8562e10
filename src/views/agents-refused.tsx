import { AGENTS_TITLE } from './agents-shared'
import { Card } from './components'

// A request to the console without a valid Cloudflare Access identity (routes/agents.tsx): a 403 that
// says what to check, to an agent whose access is not set up yet as to a stranger. The precise reason
// is in the log (`agent_refused`), never on the page. A valid identity outside AGENT_EMAIL_DOMAINS is
// told which addresses the console takes.
export const agentRefusedStep = (outside?: { email: string; domains: string[] }) => ({
  title: `${AGENTS_TITLE} : accès refusé`,
  status: 403 as const,
  desk: { agent: null },
  body: (
    <Card title="Accès refusé" prose>
      {outside && (
        <p>
          Vous êtes identifié comme {outside.email} : la console n’est ouverte qu’aux adresses
          professionnelles de la commune ({outside.domains.map((domain) => `@${domain}`).join(', ')}
          ). Reconnectez-vous avec la vôtre.
        </p>
      )}
      <p>
        La console des agents n’est ouverte qu’aux agents de la commune, identifiés par Cloudflare
        Access.
      </p>
      <ul>
        <li>
          Passez par l’adresse habituelle de la console et connectez-vous avec votre adresse
          professionnelle quand la page d’identification le demande.
        </li>
        <li>
          Si l’accès vient d’être mis en place, le service informatique vérifie dans la
          configuration : <code>ACCESS_TEAM_DOMAIN</code> (l’équipe Zero Trust),{' '}
          <code>ACCESS_AUD</code> (le tag de l’application Access) et la règle qui vous autorise ;
          le journal du Worker (événement <code>agent_refused</code>) en donne la raison.
        </li>
      </ul>
    </Card>
  ),
})
