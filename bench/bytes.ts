import { brotliCompressSync, gzipSync } from 'node:zlib'

// Bytes per step of the six-step flow, as a browser with htmx would fetch them, and as one without.
export type Sizes = { raw: number; gzip: number; brotli: number }
export type StepBytes = { step: string; page: Sizes; fragment: Sizes }

export const sizesOf = (text: string): Sizes => {
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

/** A cookie-keeping client that can ask each URL as a full page or as an htmx fragment. */
class Client {
  private cookies = new Map<string, string>()
  constructor(private readonly baseUrl: string) {}

  async fetch(
    method: 'GET' | 'POST',
    path: string,
    options: { htmx: boolean; form?: Record<string, string> },
  ) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(options.htmx ? { 'HX-Request': 'true' } : {}),
        origin: this.baseUrl,
        'cf-connecting-ip': '10.9.9.9',
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: options.form ? new URLSearchParams(options.form) : undefined,
    })
    for (const line of response.headers.getSetCookie()) {
      const [name, value] = line.split(';')[0]!.split('=') as [string, string]
      if (value) this.cookies.set(name, value)
      else this.cookies.delete(name)
    }
    return response.text()
  }
}

async function temporaryPassword(baseUrl: string, email: string) {
  for (let i = 0; i < 50; i++) {
    const mails = (await (await fetch(`${baseUrl}/dev/mails.json`)).json()) as Array<{
      to: string
      text: string
    }>
    const match = /Mot de passe : ([0-9a-f]{32})/.exec(
      mails.find((mail) => mail.to === email)?.text ?? '',
    )
    if (match) return match[1]!
    await new Promise((wait) => setTimeout(wait, 100))
  }
  throw new Error('no temporary password mailed')
}

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
    const client = new Client(baseUrl)
    const record = (step: string, body: string) => (htmx ? fragments : fullPages).push([step, body])
    record('1. Connexion', await client.fetch('GET', '/connexion', { htmx }))
    record('2. Mot de passe oublié', await client.fetch('GET', '/mot-de-passe-oublie', { htmx }))
    record(
      '3. Consultez votre messagerie',
      await client.fetch('POST', '/mot-de-passe-oublie', {
        htmx,
        form: { identifier: family.number },
      }),
    )
    const secret = await temporaryPassword(baseUrl, family.email)
    await client.fetch('POST', '/connexion', {
      htmx,
      form: { identifier: family.number, password: secret },
    })
    record(
      '4-5. Nouveau mot de passe',
      await client.fetch('GET', '/nouveau-mot-de-passe', { htmx }),
    )
    const chosen = 'Banc-Essai-2026'
    await client.fetch('POST', '/nouveau-mot-de-passe', {
      htmx,
      form: { new_password: chosen, confirmation: chosen },
    })
    record('6. Connexion (enregistré)', await client.fetch('GET', '/connexion', { htmx }))
    await client.fetch('POST', '/connexion', {
      htmx,
      form: { identifier: family.number, password: chosen },
    })
    record('Espace famille', await client.fetch('GET', '/espace', { htmx }))
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
