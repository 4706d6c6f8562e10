// Copies htmx from its npm package, the stylesheet and the page scripts into public/assets/ under content-versioned names
// (served `immutable` by public/_headers), and writes src/assets.gen.ts so pages link the right files.
// Run by every npm entry point (`npm run assets`); the outputs are not committed.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { transformSync } from 'esbuild'

const require = createRequire(import.meta.url)
const outDir = 'public/assets'

const htmxVersion = require('htmx.org/package.json').version
const htmx = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'))
// Minified: every byte of these crosses a 2G line on a cold cache (test/e2e/budget.test.ts); the
// sources keep their comments.
const minified = (path, loader) =>
  Buffer.from(transformSync(readFileSync(path, 'utf8'), { loader, minify: true }).code)
const css = minified('src/styles/app.css', 'css')
// The agents' console's own rules (views/agents-layout.tsx): families never fetch them.
const agentsCss = minified('src/styles/agents.css', 'css')
const script = minified('src/styles/app.js', 'js')
const passkeys = minified('src/styles/passkeys.js', 'js')
const challengeStandIn = readFileSync('src/styles/challenge-stand-in.js')

const digest = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 10)
const files = {
  htmx: [`htmx-${htmxVersion}.min.js`, htmx],
  css: [`app-${digest(css)}.css`, css],
  agentsCss: [`agents-${digest(agentsCss)}.css`, agentsCss],
  script: [`app-${digest(script)}.js`, script],
  passkeys: [`passkeys-${digest(passkeys)}.js`, passkeys],
  challengeStandIn: [`challenge-stand-in-${digest(challengeStandIn)}.js`, challengeStandIn],
}

rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
for (const [name, bytes] of Object.values(files)) writeFileSync(`${outDir}/${name}`, bytes)

const manifest = Object.fromEntries(
  Object.entries(files).map(([key, [name]]) => [key, `/assets/${name}`]),
)
writeFileSync(
  'src/assets.gen.ts',
  `// Written by scripts/build-assets.mjs: do not edit.\nexport const assets = ${JSON.stringify(manifest, null, 2)} as const\n`,
)
console.log(`assets: ${readdirSync(outDir).join(', ')}`)
