// Progressive enhancement only: every page works without this file (and without htmx).

// After htmx swaps a step into <main>, move focus to what changed, so keyboard and screen-reader
// users follow the step (WCAG 2.4.3, RGAA 12.8): the first invalid field, else a question to answer
// (the agents' confirmations), else the step's heading.
function focusStep() {
  const main = document.getElementById('main')
  const target =
    main &&
    (main.querySelector('[aria-invalid="true"]') ||
      main.querySelector('[data-focus]') ||
      main.querySelector('h1'))
  if (target) target.focus()
}

// A "show password" button after each password field: a long password typed on a phone keyboard is
// easier to get right when it can be read back (NIST SP 800-63B 5.1.1.2).
function addRevealButtons(root) {
  for (const input of root.querySelectorAll('input[type="password"]:not([data-reveal])')) {
    input.setAttribute('data-reveal', '')
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'reveal'
    button.textContent = 'Afficher le mot de passe'
    button.setAttribute('aria-controls', input.id)
    button.setAttribute('aria-pressed', 'false')
    button.addEventListener('click', () => {
      const shown = input.type === 'text'
      input.type = shown ? 'password' : 'text'
      button.setAttribute('aria-pressed', String(!shown))
    })
    input.after(button)
  }
}

// Past a per-client limit the server answers a challenge (Cloudflare Turnstile) instead of a wait:
// its script is loaded only then, from the address the widget names (allowed by the CSP).
function renderChallenges(root) {
  for (const widget of root.querySelectorAll('.cf-turnstile:not([data-rendered])')) {
    if (window.turnstile) {
      window.turnstile.render(widget)
      continue
    }
    if (document.querySelector('script[data-challenge]')) continue
    const script = document.createElement('script')
    script.src = widget.getAttribute('data-script')
    script.setAttribute('data-challenge', '')
    script.async = true
    document.head.append(script)
  }
}

// Passkeys have their own script (docs/passkeys.md): fetched only on a page that offers them, in a
// browser that has WebAuthn; it then sets up every page htmx swaps in.
function loadPasskeys(root) {
  const marker = root.querySelector('[data-passkey-script]')
  if (!marker || !window.PublicKeyCredential || document.querySelector('script[data-passkeys]'))
    return
  const script = document.createElement('script')
  script.src = marker.getAttribute('data-passkey-script')
  script.setAttribute('data-passkeys', '')
  document.head.append(script)
}

addRevealButtons(document)
renderChallenges(document)
loadPasskeys(document)
document.addEventListener('htmx:after:swap', () => {
  addRevealButtons(document)
  renderChallenges(document)
  loadPasskeys(document)
  focusStep()
})
