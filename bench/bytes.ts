import { brotliCompressSync, gzipSync } from 'node:zlib'
import { LocalClient, readTemporaryPassword } from '../scripts/lib/local-client'

// Bytes per step of the six-step flow, as a browser with htmx would fetch them, and as one without.
export type Sizes = { raw: number; gzip: number; brotli: number }
export type StepBytes = { step: string; page: Sizes; fragment: Sizes }

const sizesOf = (text: string): Sizes => {
  const bytes = Buffer.from(text)
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes).length,
    brotli: brotliCompressSync(bytes).length,
  }
}

const add = (a: Sizes, b: Sizes): Sizes => ({
  raw: a.raw + b.raw,
  gzip: a.gzip + b.gzip,
  brotli: a.brotli + b.brotli,
})
const ZERO: Sizes = { raw: 0, gzip: 0, brotli: 0 }

type Family = { number: string; email: string }

/**
 * Walks the six steps in two worlds, one family each: full pages (no JavaScript) and htmx fragments
 * (what htmx fetches after the first page).
 */
export async function measureBytes(baseUrl: string, withoutJs: Family, withJs: Family) {
  const steps: StepBytes[] = []
  const fullPages: Array<[string, string]> = []
  const fragments: Array<[string, string]> = []
  for (const htmx of [false, true]) {
    const family = htmx ? withJs : withoutJs
    const client = new LocalClient(baseUrl)
    const record = async (step: string, answer: Promise<{ body: string }>) =>
      (htmx ? fragments : fullPages).push([step, (await answer).body])
    await record('1. Connexion', client.get('/connexion', { htmx }))
    await record('2. Mot de passe oublié', client.get('/mot-de-passe-oublie', { htmx }))
    await record(
      '3. Consultez votre messagerie',
      client.post('/mot-de-passe-oublie', { identifier: family.number }, { htmx }),
    )
    const secret = await readTemporaryPassword(baseUrl, family.email)
    await client.post('/connexion', { identifier: family.number, password: secret }, { htmx })
    await record('4-5. Nouveau mot de passe', client.get('/nouveau-mot-de-passe', { htmx }))
    const chosen = 'Banc-Essai-2026'
    await client.post(
      '/nouveau-mot-de-passe',
      { new_password: chosen, confirmation: chosen },
      { htmx },
    )
    await record('6. Connexion (enregistré)', client.get('/connexion', { htmx }))
    await client.post('/connexion', { identifier: family.number, password: chosen }, { htmx })
    await record('Espace famille', client.get('/espace', { htmx }))
  }
  for (const [index, [step, body]] of fullPages.entries()) {
    steps.push({ step, page: sizesOf(body), fragment: sizesOf(fragments[index]![1]) })
  }

  const html = fullPages[0]![1]
  const assetPaths = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map(
    ([, path]) => path!,
  )
  const assets: Array<[string, Sizes]> = []
  for (const path of assetPaths)
    assets.push([path, sizesOf(await (await fetch(`${baseUrl}${path}`)).text())])
  const assetTotal = assets.reduce((sum, [, sizes]) => add(sum, sizes), ZERO)
  const fragmentTotal = steps.slice(1).reduce((sum, step) => add(sum, step.fragment), ZERO)
  return {
    steps,
    assets,
    // With htmx: the first page whole, its assets, then a fragment per step.
    flowCold: add(add(steps[0]!.page, assetTotal), fragmentTotal),
    flowWarm: add(steps[0]!.page, fragmentTotal),
    // Without JavaScript: a whole page per step, the stylesheet once.
    flowWithoutJavaScript: steps.reduce(
      (sum, step) => add(sum, step.page),
      assets.find(([path]) => path.endsWith('.css'))?.[1] ?? ZERO,
    ),
  }
}
