import type { FranceConnectLink } from '../services/flows/franceconnect'
import { PATHS } from '../paths'
import { Alert, Card, FamilyNumberField, Field, Form, Notice, StepLink } from './components'

// FranceConnect (docs/franceconnect.md): the State's button first on the sign-in page, then « ou »; the
// linking page; the linked adults in the family space. Plain links and forms: no JavaScript needed.

/**
 * The FranceConnect button as the DSFR publishes it (`fr-connect`, its logo and its two lines) and
 * « Qu'est-ce que FranceConnect ? ». A plain link: the browser goes to FranceConnect and back.
 */
export function FranceConnectButton() {
  return (
    <div class="fr-connect-group">
      <a class="fr-connect" href={PATHS.franceConnect}>
        <span class="fr-connect__login">S’identifier avec</span>
        <span class="fr-connect__brand">FranceConnect</span>
      </a>
      <p>
        <a
          href="https://franceconnect.gouv.fr/"
          target="_blank"
          rel="noopener"
          title="Qu’est-ce que FranceConnect ? - nouvelle fenêtre"
        >
          Qu’est-ce que FranceConnect ?
        </a>
      </p>
      <p class="or">ou</p>
    </div>
  )
}

export type LinkFormProps = {
  adult: { givenName: string; familyName: string }
  identifier?: string
  identifierHelp: string
  // A code was mailed: the page asks for it.
  codeSent?: boolean
  errors?: { identifier?: string[]; password?: string[]; code?: string[] }
  alert?: string
  notice?: string
}

/** « Relier FranceConnect à votre espace famille »: the number, then the password or a mailed code. */
export function LinkForm(props: LinkFormProps) {
  const { adult, errors = {} } = props
  return (
    <Card title="Relier FranceConnect à votre espace famille">
      <p class="intro">
        Vous êtes identifié avec FranceConnect comme {adult.givenName} {adult.familyName}. Pour vous
        connecter ainsi à l’avenir, reliez cette identité à votre espace famille, une seule fois :
        prouvez que c’est bien votre famille avec son mot de passe, ou avec un code reçu à son
        adresse e-mail.
      </p>
      {props.notice && <Notice>{props.notice}</Notice>}
      {props.alert && <Alert>{props.alert}</Alert>}
      {props.codeSent ? (
        <Form action={PATHS.franceConnectLink}>
          <input type="hidden" name="identifier" value={props.identifier ?? ''} />
          <Field
            name="code"
            label="Code reçu par e-mail"
            hint="6 chiffres, valable 15 minutes."
            errors={errors.code}
            autocomplete="one-time-code"
            inputmode="numeric"
            maxlength={12}
          />
          <button type="submit">Relier et me connecter</button>
        </Form>
      ) : (
        <Form action={PATHS.franceConnectLink}>
          <FamilyNumberField
            label="Identifiant"
            hint={props.identifierHelp}
            value={props.identifier}
            errors={errors.identifier}
          />
          <Field
            name="password"
            label="Mot de passe de l’espace famille"
            type="password"
            errors={errors.password}
            autocomplete="current-password"
            maxlength={1024}
            required={false}
          />
          <button type="submit" name="action" value="password">
            Relier avec le mot de passe
          </button>
          <p class="or">ou</p>
          <button type="submit" name="action" value="code" class="secondary">
            Recevoir un code par e-mail
          </button>
        </Form>
      )}
      <p class="links">
        <StepLink href={PATHS.signIn}>Annuler et revenir à la connexion</StepLink>
      </p>
    </Card>
  )
}

export const linkStep = (props: LinkFormProps) => ({
  title: 'Relier FranceConnect',
  body: <LinkForm {...props} />,
})

const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })

/** The adults linked to the family, with « Délier » (plain forms). */
export function FranceConnectLinks(props: { links: FranceConnectLink[] }) {
  if (props.links.length === 0) return null
  return (
    <section aria-labelledby="franceconnect-title">
      <h2 id="franceconnect-title">FranceConnect</h2>
      <ul class="passkeys">
        {props.links.map((link) => (
          <li>
            <strong>
              {link.givenName} {link.familyName}
            </strong>
            <span class="hint">Relié le {day.format(new Date(link.linkedAt))}</span>
            <Form action={PATHS.franceConnectUnlink}>
              <input type="hidden" name="link" value={String(link.id)} />
              <button
                type="submit"
                class="secondary"
                aria-label={`Délier FranceConnect de ${link.givenName} ${link.familyName}`}
              >
                Délier
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </section>
  )
}
