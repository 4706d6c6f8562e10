// npm run check: the lock file must hold one wrangler, one miniflare and one workerd, so the tests
// (@cloudflare/vitest-plugin), `wrangler dev` and `wrangler deploy` all run on the same runtime.
import { readFileSync } from 'node:fs'

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'))
let problems = 0
for (const name of ['wrangler', 'miniflare', 'workerd']) {
  const copies = Object.entries(lock.packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([path, entry]) => `${path}@${entry.version}`)
  if (copies.length !== 1) {
    problems++
    console.error(`${name}: ${copies.length} copies in package-lock.json (pin the pair together):`)
    for (const copy of copies) console.error(`  ${copy}`)
  }
}
if (problems > 0) process.exit(1)
console.log('one runtime: one wrangler, one miniflare, one workerd')
