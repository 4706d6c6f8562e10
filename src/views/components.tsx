import type { Child } from 'hono/jsx'
import { PATHS } from '../paths'

// Every form posts for real (works without JavaScript); htmx, when present, posts the same form and
// swaps the answer into <main>.
export function Form(props: { action: string; children: Child }) {
  return (
    <form method="post" action={props.action} data-hx-post={props.action} data-hx-target="#main">
      {props.children}
    </form>
  )
}

/** A link that htmx follows as a fragment swap, and a browser without JavaScript as a plain link. */
export function StepLink(props: { href: string; children: Child }) {
  return (
    <a href={props.href} data-hx-get={props.href} data-hx-target="#main" data-hx-push-url="true">
      {props.children}
    </a>
  )
}

type FieldProps = {
  name: string
  label: string
  type?: 'text' | 'password' | 'email'
  value?: string
  hint?: string
  errors?: string[]
  autocomplete: string
  inputmode?: 'numeric'
  maxlength?: number
  // false for a field one of two buttons does without (FranceConnect's linking: password or code).
  required?: boolean
}

/** A labelled input whose errors are tied to it (aria-describedby, aria-invalid) and announced. */
export function Field({
  name,
  label,
  type = 'text',
  value,
  hint,
  errors = [],
  required = true,
  ...rest
}: FieldProps) {
  const hintId = hint ? `${name}-hint` : undefined
  const errorId = errors.length > 0 ? `${name}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div class="field">
      <label for={name}>{label}</label>
      {hint && (
        <span class="hint" id={hintId}>
          {hint}
        </span>
      )}
      <input
        id={name}
        name={name}
        type={type}
        value={type === 'password' ? undefined : value}
        required={required}
        // Browsers never capitalise email and password fields: autocapitalize does not apply there.
        autocapitalize={type === 'text' ? 'off' : undefined}
        spellcheck={false}
        aria-invalid={errors.length > 0 ? 'true' : undefined}
        aria-describedby={describedBy}
        {...rest}
      />
      {errorId && <FieldErrors id={errorId} errors={errors} />}
    </div>
  )
}

function FieldErrors({ id, errors }: { id: string; errors: string[] }) {
  if (errors.length === 1) {
    return (
      <p class="error" id={id} role="alert">
        {errors[0]}
      </p>
    )
  }
  return (
    <div class="error" id={id} role="alert">
      <ul>
        {errors.map((error) => (
          <li>{error}</li>
        ))}
      </ul>
    </div>
  )
}

/** What the page needs to show a challenge: the widget's site key and the script that renders it. */
export type ChallengeView = { siteKey: string; scriptUrl: string }

/**
 * Cloudflare Turnstile's widget, rendered by its script (loaded by the page script only when shown):
 * solving it fills the form field `cf-turnstile-response`.
 */
export function ChallengeWidget({ siteKey, scriptUrl }: ChallengeView) {
  return (
    <div class="cf-turnstile" data-sitekey={siteKey} data-script={scriptUrl} data-language="fr" />
  )
}

/**
 * The family-number field (`identifier`) and the way to a forgotten number beneath it: the same on
 * the sign-in and the forgotten-password steps.
 */
export function FamilyNumberField(props: {
  label: string
  hint: string
  value?: string
  errors?: string[]
  // `username webauthn` on the sign-in step: the browser offers the family's passkeys in it.
  autocomplete?: string
}) {
  return (
    <>
      <Field
        name="identifier"
        label={props.label}
        hint={props.hint}
        value={props.value}
        errors={props.errors}
        autocomplete={props.autocomplete ?? 'username'}
        inputmode="numeric"
        maxlength={40}
      />
      <p class="aside">
        <StepLink href={PATHS.forgotNumber}>Numéro de famille oublié ?</StepLink>
      </p>
    </>
  )
}

export function Alert({ children }: { children: Child }) {
  return (
    <p class="alert" role="alert">
      {children}
    </p>
  )
}

export function Notice({ children }: { children: Child }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  )
}

/**
 * The card every step is drawn in: its title is the page's one <h1>, focusable for htmx swaps, and
 * names the section for assistive technologies. `wide` for tables, `prose` for long texts.
 */
export function Card(props: { title: Child; wide?: boolean; prose?: boolean; children: Child }) {
  const variant = props.wide ? ' wide' : props.prose ? ' prose' : ''
  return (
    <section class={`card${variant}`} aria-labelledby="step-title">
      <h1 tabindex={-1}>
        <span id="step-title">{props.title}</span>
      </h1>
      {props.children}
    </section>
  )
}

/** Sign-out is a POST (no state change on GET), reachable from every signed-in step. */
export function SignOutForm() {
  return (
    <Form action={PATHS.signOut}>
      <p class="links">
        <button type="submit" class="secondary">
          Se déconnecter
        </button>
      </p>
    </Form>
  )
}

/** The end of every "check your mailbox" step: the spam hint and the way back to sign-in. */
export function MailboxHint() {
  return (
    <>
      <p>
        Vous ne trouvez pas l'e-mail ? Pensez à regarder dans vos courriers indésirables (spams).
      </p>
      <p class="links">
        <StepLink href={PATHS.signIn}>Aller à la connexion</StepLink>
      </p>
    </>
  )
}
