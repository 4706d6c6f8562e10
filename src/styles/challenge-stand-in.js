// Development and tests only: a stand-in for Cloudflare Turnstile's api.js, whose script and
// siteverify no machine of ours reaches. Same surface: `.cf-turnstile[data-sitekey]` elements are
// rendered on load, `window.turnstile.render(element)` renders later ones, and solving fills the
// form field `cf-turnstile-response` with Turnstile's documented dummy token.
;(() => {
  const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX'

  function render(element) {
    if (element.hasAttribute('data-rendered')) return
    element.setAttribute('data-rendered', '')
    const field = document.createElement('input')
    field.type = 'hidden'
    field.name = 'cf-turnstile-response'
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = 'Je ne suis pas un robot (simulation locale)'
    button.addEventListener('click', () => {
      field.value = DUMMY_TOKEN
      button.textContent = 'Vérification réussie'
      button.disabled = true
    })
    element.append(field, button)
  }

  window.turnstile = { render }
  for (const element of document.querySelectorAll('.cf-turnstile')) render(element)
})()
