import type { Family } from '../services/records/families'
import { Card, SignOutForm, StepLink } from './components'
import { PATHS } from '../paths'

export const FAMILY_SPACE_TITLE = 'Mon espace famille'

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'full',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})

/** `claire.martin@example.org` → `c••••••••••n@example.org`: enough to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 1) return '•••'
  const local = email.slice(0, at)
  const hidden = '•'.repeat(Math.max(local.length - 2, 1))
  const shown = local.length > 2 ? `${local[0]}${hidden}${local.at(-1)}` : `${local[0]}${hidden}`
  return `${shown}${email.slice(at)}`
}

export function FamilySpace({ family }: { family: Family }) {
  return (
    <Card
      title={
        <>
          Bonjour {family.firstName} {family.lastName}
        </>
      }
    >
      <p class="intro">Bienvenue dans votre espace famille.</p>
      <dl>
        <dt>Numéro de famille</dt>
        <dd>{family.familyNumber}</dd>
        <dt>Adresse e-mail enregistrée</dt>
        <dd>{family.email ? maskEmail(family.email) : 'Aucune adresse enregistrée'}</dd>
        <dt>Dernière connexion</dt>
        <dd>
          {family.previousSignInAt
            ? dateTime.format(new Date(family.previousSignInAt))
            : 'Ceci est votre première connexion.'}
        </dd>
      </dl>
      <p class="links">
        <StepLink href={PATHS.newPassword}>Changer mon mot de passe</StepLink>
      </p>
      <SignOutForm />
    </Card>
  )
}

export const familySpaceStep = (family: Family) => ({
  title: FAMILY_SPACE_TITLE,
  body: <FamilySpace family={family} />,
})
