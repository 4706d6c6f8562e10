// Progressive enhancement only: every page works without this file.
// After htmx swaps a step into <main>, move focus to what changed, so keyboard and screen-reader
// users follow the step (WCAG 2.4.3, RGAA 12.8): the first invalid field, else the step's heading.
document.addEventListener('htmx:after:swap', () => {
  const main = document.getElementById('main')
  if (!main) return
  const target = main.querySelector('[aria-invalid="true"]') || main.querySelector('h1')
  if (target) target.focus()
})
