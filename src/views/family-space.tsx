import type { Family } from '../services/records/families'
import type { FranceConnectLink } from '../services/flows/franceconnect'
import type { PasskeySummary } from '../services/flows/passkeys'
import { Alert, Card, Notice, SignOutForm, StepLink } from './components'
import { FranceConnectLinks } from './franceconnect'
import { PasskeyOffer, Passkeys } from './passkeys'
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

export type FamilySpaceProps = {
  family: Family
  passkeys: PasskeySummary[]
  franceConnectLinks: FranceConnectLink[]
  // The passkey offer is due (flows/passkeys.ts: after a password sign-in, at most once a month).
  passkeyOffer: boolean
  // The session is recent enough to add a passkey (flows/passkeys.ts).
  addPasskey: boolean
  notice?: string
  alert?: string
}

export function FamilySpace(props: FamilySpaceProps) {
  const { family, passkeys, passkeyOffer, notice, alert } = props
  return (
    <Card
      title={
        <>
          Bonjour {family.firstName} {family.lastName}
        </>
      }
    >
      <p class="intro">Bienvenue dans votre espace famille.</p>
      {notice && <Notice>{notice}</Notice>}
      {alert && <Alert>{alert}</Alert>}
      {passkeyOffer && <PasskeyOffer />}
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
      <Passkeys passkeys={passkeys} offered={passkeyOffer} addAllowed={props.addPasskey} />
      <FranceConnectLinks links={props.franceConnectLinks} />
      <p class="links">
        <StepLink href={PATHS.newPassword}>Changer mon mot de passe</StepLink>
      </p>
      <SignOutForm />
    </Card>
  )
}

export const familySpaceStep = (props: FamilySpaceProps) => ({
  title: FAMILY_SPACE_TITLE,
  body: <FamilySpace {...props} />,
})
