import type { Child } from 'hono/jsx'
import { assets } from '../assets.gen'
import { PASSKEYS_PER_FAMILY, type PasskeySummary } from '../services/flows/passkeys'
import { PATHS } from '../paths'
import { Form } from './components'

// Passkeys (docs/passkeys.md) need WebAuthn, so JavaScript: their forms come `hidden` and the page
// script shows them (`data-webauthn`) only where the browser has it. Without JavaScript nothing shows,
// except the list of passkeys a family already has, with its « Supprimer » (plain forms).

// The hidden fields navigator.credentials.get() and .create() fill (src/styles/passkeys.js).
export const ASSERTION_FIELDS = [
  'credential_id',
  'client_data',
  'authenticator_data',
  'signature',
  'user_handle',
] as const
export const REGISTRATION_FIELDS = ['client_data', 'attestation_object'] as const

const SIGN_IN_FAILED =
  "La clé d'accès n'a pas pu être utilisée. Réessayez, ou connectez-vous avec votre mot de passe."
const CREATION_FAILED =
  "La clé d'accès n'a pas été créée. Vous pouvez réessayer ; votre mot de passe fonctionne toujours."

/** A form the passkey script completes: it asks `options` for a challenge, then fills `fields`. */
function PasskeyForm(props: {
  kind: 'sign-in' | 'create'
  action: string
  options: string
  failure: string
  fields: readonly string[]
  children: Child
}) {
  return (
    <form
      method="post"
      action={props.action}
      data-hx-post={props.action}
      data-hx-target="#main"
      class="passkey"
      data-passkey={props.kind}
      data-options={props.options}
      data-failure={props.failure}
      data-passkey-script={assets.passkeys}
      data-webauthn
      hidden
    >
      {props.fields.map((name) => (
        <input type="hidden" name={name} value="" />
      ))}
      {props.children}
      <p class="error" data-passkey-error role="alert" hidden></p>
    </form>
  )
}

/** Under the sign-in form: the button (the family-number field also offers passkeys by autofill). */
export function PasskeySignIn() {
  return (
    <PasskeyForm
      kind="sign-in"
      action={PATHS.passkeySignIn}
      options={PATHS.passkeySignInOptions}
      failure={SIGN_IN_FAILED}
      fields={ASSERTION_FIELDS}
    >
      <p class="or">ou</p>
      <button type="button" class="secondary" data-passkey-start>
        Se connecter avec une clé d'accès
      </button>
    </PasskeyForm>
  )
}

function AddPasskey(props: { label: string }) {
  return (
    <PasskeyForm
      kind="create"
      action={PATHS.passkeys}
      options={PATHS.passkeyOptions}
      failure={CREATION_FAILED}
      fields={REGISTRATION_FIELDS}
    >
      <div class="field">
        <label for="passkey-name">Nom de la clé (facultatif)</label>
        <span class="hint" id="passkey-name-hint">
          Par exemple « Téléphone de Claire ». Sinon, le type d'appareil et la date.
        </span>
        <input
          id="passkey-name"
          name="name"
          type="text"
          maxlength={60}
          autocomplete="off"
          aria-describedby="passkey-name-hint"
        />
      </div>
      <button type="submit">{props.label}</button>
    </PasskeyForm>
  )
}

/** The offer after a password sign-in (flows/passkeys.ts decides when), with « Plus tard ». */
export function PasskeyOffer() {
  return (
    <section class="offer" aria-labelledby="passkey-offer-title" data-webauthn hidden>
      <h2 id="passkey-offer-title">Se connecter plus vite avec une clé d'accès</h2>
      <p>
        Connectez-vous avec l'empreinte, le visage ou le code de verrouillage de cet appareil, sans
        saisir de mot de passe. Votre mot de passe continue de fonctionner.
      </p>
      <p class="hint">Ne créez pas de clé d'accès sur un ordinateur partagé.</p>
      <AddPasskey label="Créer une clé d'accès" />
      <Form action={PATHS.passkeyOfferLater}>
        <p class="links">
          <button type="submit" class="secondary">
            Plus tard
          </button>
        </p>
      </Form>
    </section>
  )
}

const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })
const dayOf = (ms: number) => day.format(new Date(ms))

/** The family's passkeys with « Supprimer », and the way to add one (hidden where none can be made). */
export function Passkeys(props: {
  passkeys: PasskeySummary[]
  offered: boolean
  addAllowed: boolean
}) {
  const { passkeys } = props
  const room = passkeys.length < PASSKEYS_PER_FAMILY
  const canAdd = room && props.addAllowed && !props.offered
  if (passkeys.length === 0 && (props.offered || !room)) return null
  const none = passkeys.length === 0
  return (
    <section aria-labelledby="passkeys-title" data-webauthn={none ? '' : undefined} hidden={none}>
      <h2 id="passkeys-title">Clés d'accès</h2>
      {none ? (
        <p>
          Aucune clé d'accès : vous pouvez en créer une pour vous connecter avec l'empreinte, le
          visage ou le code de verrouillage de cet appareil.
        </p>
      ) : (
        <ul class="passkeys">
          {passkeys.map((passkey) => (
            <li>
              <strong>{passkey.name}</strong>
              <span class="hint">
                Créée le {dayOf(passkey.createdAt)} ·{' '}
                {passkey.lastUsedAt
                  ? `dernière utilisation le ${dayOf(passkey.lastUsedAt)}`
                  : 'jamais utilisée'}
              </span>
              <Form action={PATHS.passkeyRemoval}>
                <input type="hidden" name="passkey" value={passkey.id} />
                <button
                  type="submit"
                  class="secondary"
                  aria-label={`Supprimer la clé d'accès « ${passkey.name} »`}
                >
                  Supprimer
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      {canAdd && <AddPasskey label="Ajouter une clé d'accès" />}
      {room && !props.addAllowed && (
        <p class="hint" data-webauthn hidden>
          Pour ajouter une clé d'accès, reconnectez-vous : par sécurité, c'est possible pendant les
          15 minutes qui suivent une connexion.
        </p>
      )}
      {passkeys.length >= PASSKEYS_PER_FAMILY && (
        <p class="hint">
          Vous avez {PASSKEYS_PER_FAMILY} clés d'accès, le maximum : supprimez-en une pour en
          ajouter une autre.
        </p>
      )}
    </section>
  )
}
