import {
  Alert,
  ChallengeWidget,
  FamilyNumberField,
  Field,
  Form,
  Card,
  Notice,
  StepLink,
  type ChallengeView,
} from './components'
import { PATHS } from '../paths'
import { FranceConnectButton } from './franceconnect'
import { PasskeySignIn } from './passkeys'

export const LOGIN_TITLE = 'Connexion'

// Step 6's message, above the number already filled in.
export const PASSWORD_SAVED =
  'Votre nouveau mot de passe est enregistré. Connectez-vous avec ce mot de passe.'

// Shown on a browser that holds a restricted session (a temporary password signed in, no new password
// yet): whoever sits there next sees it and can end it without learning anything about the family.
export const REQUEST_PENDING = 'Une demande de nouveau mot de passe est en cours sur ce navigateur.'

// A stranger may be the one who made the number wait: the way back by mail always works.
export const STILL_BY_MAIL =
  'Un mot de passe temporaire reçu par e-mail (« Mot de passe oublié ») fonctionne même pendant ce délai.'

// Said only to whoever proved to be the family (its password, a live temporary password, a passkey).
export const accessClosed = (contactText: string) => `Votre accès famille est fermé. ${contactText}`

export type LoginFormProps = {
  identifier?: string
  identifierHelp: string
  errors?: { identifier?: string[]; password?: string[] }
  alert?: string
  notice?: string
  challenge?: ChallengeView
  // This browser holds a restricted session: say so, and offer to end it.
  requestPending?: boolean
  // FranceConnect is configured: its button comes first (docs/franceconnect.md).
  franceConnect?: boolean
}

/** Seed's "Accès famille" sign-in: the whole step, swapped as one fragment by htmx. */
export function LoginForm({
  identifier,
  identifierHelp,
  errors = {},
  alert,
  notice,
  challenge,
  requestPending = false,
  franceConnect = false,
}: LoginFormProps) {
  return (
    <Card title="Accès famille">
      <p class="intro">Identifiez-vous pour vous connecter à votre application enfance !</p>
      {requestPending && <PendingRequest />}
      {notice && <Notice>{notice}</Notice>}
      {alert && <Alert>{alert}</Alert>}
      {franceConnect && <FranceConnectButton />}
      <Form action={PATHS.signIn}>
        <FamilyNumberField
          label="Identifiant"
          hint={identifierHelp}
          value={identifier}
          errors={errors.identifier}
          autocomplete="username webauthn"
        />
        <Field
          name="password"
          label="Mot de passe"
          type="password"
          errors={errors.password}
          autocomplete="current-password"
          maxlength={1024}
        />
        {challenge && <ChallengeWidget {...challenge} />}
        <button type="submit">Se connecter</button>
      </Form>
      <PasskeySignIn />
      <p class="links">
        <StepLink href={PATHS.forgotPassword}>Mot de passe oublié</StepLink>
      </p>
    </Card>
  )
}

/** The notice of a restricted session, and a real form (no JavaScript needed) that ends it. */
function PendingRequest() {
  return (
    <>
      <Notice>{REQUEST_PENDING}</Notice>
      <Form action={PATHS.signOut}>
        <p class="links">
          <button type="submit" class="secondary">
            Annuler cette demande
          </button>
        </p>
      </Form>
    </>
  )
}

/** The sign-in step as a page or fragment (routes/login.tsx, and after a change or a sign-out). */
export const signInStep = (props: LoginFormProps) => ({
  title: LOGIN_TITLE,
  body: <LoginForm {...props} />,
})
