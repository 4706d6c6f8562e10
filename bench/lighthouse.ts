import { chromiumExecutable } from '../scripts/lib/chromium'

// Lighthouse 12.2.3 (the last release that runs on this machine's Node and lock file, see README),
// mobile preset with simulated throttling, on the system's or the packaged Chromium.
export type LighthouseScores = { path: string; scores: Record<string, number> }

export async function measureLighthouse(baseUrl: string, paths: string[]) {
  const { default: lighthouse } = await import('lighthouse')
  const { launch } = await import('chrome-launcher')
  const { path: chromePath } = await chromiumExecutable()
  const chrome = await launch({
    chromePath,
    chromeFlags: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
    ],
  })
  try {
    const results: LighthouseScores[] = []
    for (const path of paths) {
      const run = await lighthouse(`${baseUrl}${path}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
      })
      const categories = run?.lhr.categories ?? {}
      results.push({
        path,
        scores: Object.fromEntries(
          Object.entries(categories).map(([name, category]) => [name, category.score ?? 0]),
        ),
      })
    }
    return results
  } finally {
    chrome.kill()
  }
}
