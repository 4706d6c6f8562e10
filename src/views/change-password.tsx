import { COMPOSITION_RULES, MAX_PASSWORD_LENGTH } from '../services/password-policy'
import { Alert, Field, Form, Card, SignOutForm, StepLink } from './components'
import { PATHS } from '../paths'

export const CHANGE_PASSWORD_TITLE = 'Nouveau mot de passe'

export type ChangePasswordFormProps = {
  minLength: number
  familyNumber: string
  // By choice from the family space: the current password is asked. After a temporary one: it is not.
  askCurrentPassword: boolean
  errors?: { current_password?: string[]; new_password?: string[]; confirmation?: string[] }
  alert?: string
  // The family's passkeys: when it has some, it may remove them with the change (docs/passkeys.md).
  passkeyCount?: number
  removePasskeys?: boolean
}

/** Step 5, seed's text: the rules are listed before the family types anything. */
export function ChangePasswordForm({
  minLength,
  familyNumber,
  askCurrentPassword,
  errors = {},
  alert,
  passkeyCount = 0,
  removePasskeys = false,
}: ChangePasswordFormProps) {
  return (
    <Card title="Accès famille">
      {askCurrentPassword ? (
        <p class="intro">Choisissez un nouveau mot de passe pour votre espace famille.</p>
      ) : (
        <p>
          <strong>
            Pour améliorer la sécurité de votre application, nous vous demandons de saisir un
            nouveau mot de passe.
          </strong>
        </p>
      )}
      <p id="password-rules-title">
        Veuillez choisir un nouveau mot de passe répondant aux critères suivants :
      </p>
      <ul class="rules" id="password-rules" aria-labelledby="password-rules-title">
        {COMPOSITION_RULES.map((rule) => (
          <li>{rule.label(minLength)}</li>
        ))}
      </ul>
      {alert && <Alert>{alert}</Alert>}
      <Form action={PATHS.newPassword}>
        {/* Lets a password manager file the new password under the right login (never read here). */}
        <input
          type="text"
          name="username"
          value={familyNumber}
          autocomplete="username"
          hidden
          readonly
        />
        {askCurrentPassword && (
          <Field
            name="current_password"
            label="Mot de passe actuel"
            type="password"
            errors={errors.current_password}
            autocomplete="current-password"
            maxlength={1024}
          />
        )}
        <Field
          name="new_password"
          label="Nouveau mot de passe"
          type="password"
          hint={`Entre ${minLength} et ${MAX_PASSWORD_LENGTH} caractères, voir les critères ci-dessus.`}
          errors={errors.new_password}
          autocomplete="new-password"
          maxlength={1024}
        />
        <Field
          name="confirmation"
          label="Confirmation mot de passe"
          type="password"
          errors={errors.confirmation}
          autocomplete="new-password"
          maxlength={1024}
        />
        {passkeyCount > 0 && (
          <div class="field check">
            <input
              id="remove_passkeys"
              name="remove_passkeys"
              type="checkbox"
              value="1"
              checked={removePasskeys}
              aria-describedby="remove_passkeys-hint"
            />
            <label for="remove_passkeys">Supprimer aussi les clés d'accès enregistrées</label>
            <span class="hint" id="remove_passkeys-hint">
              {passkeyCount > 1
                ? `Vos ${passkeyCount} clés d'accès ne permettront plus de se connecter`
                : "Votre clé d'accès ne permettra plus de se connecter"}{' '}
              : utile si quelqu'un d'autre a pu en créer une.
            </span>
          </div>
        )}
        <button type="submit">Enregistrer le nouveau mot de passe</button>
      </Form>
      {askCurrentPassword && (
        <p class="links">
          <StepLink href={PATHS.familySpace}>Retour à mon espace</StepLink>
        </p>
      )}
      <SignOutForm />
    </Card>
  )
}

export const changePasswordStep = (props: ChangePasswordFormProps) => ({
  title: CHANGE_PASSWORD_TITLE,
  body: <ChangePasswordForm {...props} />,
})
