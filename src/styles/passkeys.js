// Passkeys (WebAuthn; docs/passkeys.md), loaded by app.js only on the pages that offer them and only in
// browsers that have WebAuthn. The server checks everything: this file asks the browser for the
// credential and fills the hidden fields of a real form, which htmx (or the browser) then posts.

const bytes = (text) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
const base64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

// The pending autofill request and when it began: one per document, kept across htmx swaps (it
// answers whichever sign-in form is on the page then), renewed before its challenge expires. A
// browser runs one WebAuthn request at a time, so the button and « Créer » cancel it first.
let autofill
const AUTOFILL_RENEWAL_MS = 9 * 60_000
// Refused by the browser (no authenticator, or autofill turned off), or already used once: not asked
// again on this page (a passkey the server refused is not offered over and over; the button stays).
let autofillRefused = false

const signInForm = () => document.querySelector('form[data-passkey="sign-in"]')

async function challenge(form) {
  const answer = await fetch(form.dataset.options, { method: 'POST' })
  if (!answer.ok) throw new Error(`options ${answer.status}`)
  return answer.json()
}

function post(form, fields) {
  for (const [name, value] of Object.entries(fields)) form.elements[name].value = value
  // A passkey can answer before htmx has wired a page it is still loading: wire the form first (a
  // browser without htmx posts it as a plain form, which works as well).
  window.htmx?.process(form)
  form.requestSubmit()
}

function failed(form, error) {
  if (error.name === 'AbortError') return
  const alert = form.querySelector('[data-passkey-error]')
  alert.textContent = form.dataset.failure
  alert.hidden = false
}

function cancelAutofill() {
  autofill?.controller.abort()
  autofill = null
}

async function signIn(form, mediation, controller) {
  const options = await challenge(form)
  const credential = await navigator.credentials.get({
    mediation,
    signal: controller.signal,
    publicKey: { ...options, challenge: bytes(options.challenge) },
  })
  const response = credential.response
  // The page may have changed since the request began: the form on it now is the one to post.
  post(signInForm() ?? form, {
    credential_id: credential.id,
    client_data: base64url(response.clientDataJSON),
    authenticator_data: base64url(response.authenticatorData),
    signature: base64url(response.signature),
    user_handle: response.userHandle ? base64url(response.userHandle) : '',
  })
}

async function create(form) {
  cancelAutofill()
  const options = await challenge(form)
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: bytes(options.challenge),
      user: { ...options.user, id: bytes(options.user.id) },
      excludeCredentials: options.excludeCredentials.map((known) => ({
        ...known,
        id: bytes(known.id),
      })),
    },
  })
  // A passkey now exists here: autofill is worth asking for again.
  autofillRefused = false
  post(form, {
    client_data: base64url(credential.response.clientDataJSON),
    attestation_object: base64url(credential.response.attestationObject),
  })
}

// Before htmx sees it: a « Créer » submit without its credential asks the browser for one first.
addEventListener(
  'submit',
  (event) => {
    const form = event.target
    if (form.dataset.passkey !== 'create' || form.elements.attestation_object.value) return
    event.preventDefault()
    event.stopImmediatePropagation()
    create(form).catch((error) => failed(form, error))
  },
  true,
)

// Autofill: the family-number field lists the passkeys this browser holds for the site. One request
// at a time, renewed before its challenge expires on a page left open.
async function startAutofill() {
  const form = signInForm()
  const running = autofill && Date.now() - autofill.startedAt < AUTOFILL_RENEWAL_MS
  if (!form || running || autofillRefused) return
  if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return
  cancelAutofill()
  const request = { controller: new AbortController(), startedAt: Date.now() }
  autofill = request
  const renewal = setTimeout(startAutofill, AUTOFILL_RENEWAL_MS)
  signIn(form, 'conditional', request.controller)
    .then(() => (autofillRefused = true))
    .catch((error) => (autofillRefused ||= error.name !== 'AbortError'))
    .finally(() => {
      clearTimeout(renewal)
      if (autofill === request) autofill = null
    })
}

function setUp() {
  for (const element of document.querySelectorAll('[data-webauthn][hidden]')) element.hidden = false
  const form = document.querySelector('form[data-passkey="sign-in"]:not([data-ready])')
  if (form) {
    form.setAttribute('data-ready', '')
    form.querySelector('[data-passkey-start]').addEventListener('click', () => {
      cancelAutofill()
      signIn(form, 'optional', new AbortController())
        .catch((error) => failed(form, error))
        .finally(startAutofill)
    })
  }
  startAutofill()
}

setUp()
document.addEventListener('htmx:after:swap', setUp)
