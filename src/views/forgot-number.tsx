import { PATHS } from '../paths'
import {
  Alert,
  ChallengeWidget,
  Field,
  Form,
  Card,
  MailboxHint,
  StepLink,
  type ChallengeView,
} from './components'

export const FORGOT_NUMBER_TITLE = 'Numéro de famille oublié'
export const NUMBER_SENT_TITLE = 'Consultez votre messagerie'

export type ForgotNumberFormProps = {
  email?: string
  errors?: string[]
  alert?: string
  challenge?: ChallengeView
}

/** docs/family-number-recovery.md: the family types the address on file; its number is mailed there. */
export function ForgotNumberForm(props: ForgotNumberFormProps) {
  return (
    <Card title={FORGOT_NUMBER_TITLE}>
      <p class="intro">
        Indiquez l'adresse e-mail enregistrée pour votre famille : nous vous y enverrons votre
        numéro de famille.
      </p>
      {props.alert && <Alert>{props.alert}</Alert>}
      <Form action={PATHS.forgotNumber}>
        <Field
          name="email"
          label="Adresse e-mail"
          type="email"
          value={props.email}
          errors={props.errors}
          autocomplete="email"
          maxlength={254}
        />
        {props.challenge && <ChallengeWidget {...props.challenge} />}
        <button type="submit">Recevoir mon numéro de famille</button>
      </Form>
      <p class="links">
        <StepLink href={PATHS.signIn}>Retour à la connexion</StepLink>
      </p>
    </Card>
  )
}

/**
 * The same bytes whatever the address (one family, several, none, malformed but plausible): nothing
 * here may depend on it (OWASP Forgot Password cheat sheet, "Return a consistent message").
 */
export function NumberSentPanel() {
  return (
    <Card title={NUMBER_SENT_TITLE}>
      <p role="status">
        Si cette adresse est enregistrée, un e-mail vient de vous être envoyé avec votre numéro de
        famille.
      </p>
      <MailboxHint />
    </Card>
  )
}

/** The request step as a page or fragment: the empty form, or the form again with the address. */
export const forgotNumberStep = (props: ForgotNumberFormProps = {}) => ({
  title: FORGOT_NUMBER_TITLE,
  body: <ForgotNumberForm {...props} />,
})

export const numberSentStep = () => ({ title: NUMBER_SENT_TITLE, body: <NumberSentPanel /> })
