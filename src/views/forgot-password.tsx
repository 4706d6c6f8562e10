import {
  Alert,
  ChallengeWidget,
  FamilyNumberField,
  Form,
  Card,
  MailboxHint,
  StepLink,
  type ChallengeView,
} from './components'
import { PATHS } from '../paths'

export const FORGOT_PASSWORD_TITLE = 'Mot de passe oublié'
export const MAIL_SENT_TITLE = 'Consultez votre messagerie'

export type ForgotPasswordFormProps = {
  identifier?: string
  identifierHelp: string
  errors?: string[]
  alert?: string
  challenge?: ChallengeView
}

/** Steps 1 and 2: the family number, then "Demander un mot de passe". */
export function ForgotPasswordForm(props: ForgotPasswordFormProps) {
  return (
    <Card title={FORGOT_PASSWORD_TITLE}>
      <p class="intro">
        Indiquez votre identifiant : nous enverrons un mot de passe temporaire à l'adresse e-mail
        enregistrée pour votre famille.
      </p>
      {props.alert && <Alert>{props.alert}</Alert>}
      <Form action={PATHS.forgotPassword}>
        <FamilyNumberField
          label="Identifiant (numéro de famille)"
          hint={props.identifierHelp}
          value={props.identifier}
          errors={props.errors}
        />
        {props.challenge && <ChallengeWidget {...props.challenge} />}
        <button type="submit">Demander un mot de passe</button>
      </Form>
      <p class="links">
        <StepLink href={PATHS.signIn}>Retour à la connexion</StepLink>
      </p>
    </Card>
  )
}

/**
 * Step 3. The same bytes whatever the number (known, unknown, no e-mail): nothing here may depend on
 * the family (OWASP Forgot Password cheat sheet, "Return a consistent message").
 */
export function MailSentPanel({ ttlMinutes }: { ttlMinutes: number }) {
  return (
    <Card title={MAIL_SENT_TITLE}>
      <p role="status">
        Si ce numéro de famille est connu, un e-mail vient d'être envoyé à l'adresse enregistrée
        avec un mot de passe temporaire.
      </p>
      <p>
        Ce mot de passe temporaire est valable {ttlMinutes} minutes. Connectez-vous avec lui : il
        vous sera ensuite demandé de choisir un nouveau mot de passe.
      </p>
      <MailboxHint />
    </Card>
  )
}

/** Steps 1 and 2 as a page or fragment: the empty form, or the form again with the family's input. */
export const forgotPasswordStep = (props: ForgotPasswordFormProps) => ({
  title: FORGOT_PASSWORD_TITLE,
  body: <ForgotPasswordForm {...props} />,
})

export const mailSentStep = (ttlMinutes: number) => ({
  title: MAIL_SENT_TITLE,
  body: <MailSentPanel ttlMinutes={ttlMinutes} />,
})
