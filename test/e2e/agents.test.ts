import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalClient, readTemporaryPassword } from '../../scripts/lib/local-client'
import { startLocalServer, type LocalServer } from '../../scripts/lib/local-server'
import { SCRYPT_FLOOR } from '../../src/config'
import { hashPassword } from '../../src/services/passwords'
import { axeViolations } from '../support/node/axe'
import { contextOptions, chromiumForThisFile, phone } from '../support/node/chromium'
import { KNOWN_PASSWORD } from '../support/node/global-setup'
import {
  expectHeading,
  expectNoHorizontalScroll,
  screenshot,
  watchCspViolations,
} from '../support/node/browser-app'
import { runTool } from '../support/node/run-tool'

// The agents' console as a desk tool (docs/agents-console.md), in Chromium at 1280 and 320 pixels,
// axe on every page: an agent with a parent on the phone finds the family by the end of its number,
// sees it blocked by a stranger's failures, lifts the limit once asked to confirm, and finds the
// action in the journal; empty states; pages of results over imported families; an identity outside
// AGENT_EMAIL_DOMAINS refused. Its own servers: a journal and families of its own. Development's
// stand-in identity (agent@example.org) is the agent; Access itself is tested in workerd
// (test/routes/agents.test.ts).
const browser = chromiumForThisFile(() => [desk.baseUrl, outside.baseUrl])
const FAMILY = `66${String(Date.now()).slice(-7)}424242`
const IMPORTED = 'LEFÈVRE-IMPORT'

let desk: LocalServer
let outside: LocalServer
let files: string

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'agents-walk-'))
  const csv = join(files, 'familles.csv')
  const rows = Array.from(
    { length: 60 },
    (_, i) => `${FAMILY.slice(0, 9)}${String(i).padStart(6, '0')};${IMPORTED};Zoé${i};`,
  )
  writeFileSync(csv, `numero_famille;nom;prenom;email\n${rows.join('\n')}\n`)
  const known = await hashPassword(KNOWN_PASSWORD, SCRYPT_FLOOR)
  ;[desk, outside] = await Promise.all([
    startLocalServer({
      seedSql: `INSERT INTO families (family_number, last_name, first_name, email, password_hash) VALUES ('${FAMILY}', 'MARTIN', 'Claire', 'claire.martin@example.org', '${known}');`,
      // The commune's export, through the ops tool, before the server opens the database.
      beforeStart: (statePath) => {
        const run = runTool('families-import.ts', [csv, '--persist-to', statePath])
        expect(run.status, run.output).toBe(0)
      },
    }),
    startLocalServer({ seedSql: 'select 1;', vars: { AGENT_EMAIL_DOMAINS: 'ville-exemple.fr' } }),
  ])
}, 180_000)
afterAll(async () => {
  await desk?.stop()
  await outside?.stop()
  rmSync(files, { recursive: true, force: true })
})

/** Every console page: no axe violation, nothing wider than the screen, a screenshot. */
async function audit(page: Page, name: string, width: number) {
  expect(await axeViolations(page), name).toEqual([])
  await expectNoHorizontalScroll(page)
  await screenshot(page, `agents-${width}px-${name}`)
}

async function search(page: Page, q: string) {
  await page.getByLabel('Numéro de famille, nom ou adresse e-mail').fill(q)
  await page.getByRole('button', { name: 'Rechercher' }).click()
}

describe("the agents' desk", () => {
  for (const width of [1280, 320]) {
    it(`walks from a search by the number's end to the journal, at ${width} px`, async () => {
      // A stranger who knows the number locks it for every unknown client.
      const stranger = new LocalClient(desk.baseUrl, `127.0.${width === 1280 ? 114 : 115}.9`)
      for (let i = 0; i < 6; i++) {
        await stranger.request('POST', '/connexion', {
          form: { identifier: FAMILY, password: `Faux${i}Faux` },
        })
      }
      const parent = new LocalClient(desk.baseUrl)
      const locked = await parent.request('POST', '/connexion', {
        form: { identifier: FAMILY, password: KNOWN_PASSWORD },
      })
      expect(locked.status).toBe(429)

      const context = await browser().newContext(
        contextOptions({ viewport: { width, height: width === 1280 ? 900 : 640 } }),
      )
      const page = await context.newPage()
      const violations = watchCspViolations(page)
      await page.goto(`${desk.baseUrl}/agents`)
      await expectHeading(page, 'Rechercher une famille')
      await expect(page.locator('footer').count()).resolves.toBe(0)
      await audit(page, 'recherche', width)

      // The end of the number, as read off an invoice: one family, its page at once.
      await search(page, FAMILY.slice(-6))
      await expectHeading(page, 'MARTIN Claire')
      const state = page.getByRole('list', { name: 'État' })
      await expect(state.textContent()).resolves.toMatch(
        /Bloquée pour les appareils inconnus jusqu’à \d{1,2} h \d{2}\./,
      )
      if (width === 1280) {
        // Two columns: who the family is on the left, its actions and history on the right.
        const facts = await page.getByRole('heading', { name: 'La famille' }).boundingBox()
        const actions = await page.getByRole('heading', { name: 'Actions' }).boundingBox()
        expect(actions!.x).toBeGreaterThan(facts!.x + facts!.width)
      }
      await audit(page, 'famille-bloquee', width)

      await page.getByRole('button', { name: 'Lever les limites' }).click()
      const question = page.getByRole('heading', {
        name: 'Lever les limites du numéro de MARTIN Claire ?',
      })
      await question.waitFor()
      // The question has the focus: a keyboard or screen-reader user is on it.
      await expect(question.evaluate((node) => node === document.activeElement)).resolves.toBe(true)
      await audit(page, 'confirmation', width)
      await page.getByRole('button', { name: 'Confirmer' }).click()
      await page.getByText('Les limites de ce numéro sont levées.').waitFor()
      await expect(state.textContent()).resolves.toBe('Peut se connecter.')
      await audit(page, 'limites-levees', width)
      const after = await parent.request('POST', '/connexion', {
        form: { identifier: FAMILY, password: KNOWN_PASSWORD },
      })
      expect(after.location).toBe('/espace')

      await page.getByRole('link', { name: 'Journal' }).click()
      await expectHeading(page, 'Journal des actions des agents')
      const newest = page.getByRole('row').nth(1)
      await expect(newest.textContent()).resolves.toMatch(
        new RegExp(
          `agent@example\\.orgMARTIN Claire \\(${FAMILY}\\)limites du numéro levéeslimites levées`,
        ),
      )
      await audit(page, 'journal', width)

      await page.getByRole('link', { name: 'Courrier' }).click()
      await expectHeading(page, 'Courrier')
      await audit(page, 'courrier', width)
      expect(violations).toEqual([])
      await context.close()
    })
  }

  it.each([1280, 320])(
    'pages past 50 imported families, and shows the empty states of one that has done nothing yet, at %i px',
    async (width) => {
      const context = await browser().newContext(
        contextOptions({ viewport: { width, height: width === 1280 ? 900 : 640 } }),
      )
      const page = await context.newPage()
      await page.goto(`${desk.baseUrl}/agents`)
      // Accents and case ignored, as an agent types a name.
      await search(page, 'lefevre-import')
      await page.getByText('60 familles · page 1 sur 2').waitFor()
      await expect(page.getByRole('row').count()).resolves.toBe(51)
      await audit(page, 'resultats-page-1', width)
      await page.getByRole('link', { name: 'Page suivante' }).click()
      await page.getByText('60 familles · page 2 sur 2').waitFor()
      await expect(page.getByRole('row').count()).resolves.toBe(11)
      await audit(page, 'resultats-page-2', width)

      await page.getByRole('row').nth(1).getByRole('link').click()
      await expectHeading(page, new RegExp(`^${IMPORTED} Zoé\\d+$`))
      await page.getByText('Aucun e-mail envoyé.').waitFor()
      await page.getByText('Aucun événement enregistré.').waitFor()
      await page.getByText('N’a pas encore choisi de mot de passe').waitFor()
      await audit(page, 'famille-vide', width)
      await context.close()
    },
  )

  it('works by plain posts without JavaScript: the question, then the action, and a reload acts no more', async () => {
    const context = await browser().newContext(
      contextOptions({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false }),
    )
    const page = await context.newPage()
    await page.goto(`${desk.baseUrl}/agents/familles/${FAMILY}`)
    await page.getByRole('button', { name: 'Fermer toutes les sessions et annuler' }).click()
    // The question counts the family's open sessions (the walks above opened some).
    await page
      .getByRole('heading', { name: /^Fermer (les|la) (\d+ )?sessions? de MARTIN Claire \?$/ })
      .waitFor()
    // axe runs as a script, which this page may not run: the same page with JavaScript is audited above.
    await screenshot(page, 'agents-1280px-confirmation-sans-javascript')
    await page.getByRole('button', { name: 'Confirmer' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /^\d+ session\(s\) fermée\(s\)/ })
      .waitFor()
    expect(new URL(page.url()).pathname).toBe(`/agents/familles/${FAMILY}`)
    await page.reload()
    await expectHeading(page, 'MARTIN Claire')
    // The notice was for one view (the event stays in the family's history below).
    await expect(page.getByRole('status').count()).resolves.toBe(0)
    await page.goto(`${desk.baseUrl}/agents/journal?famille=${FAMILY}`)
    await expect(page.getByRole('cell', { name: 'sessions fermées' }).count()).resolves.toBe(1)
    await context.close()
  })

  it('refuses an identity outside AGENT_EMAIL_DOMAINS with a page that says why', async () => {
    for (const width of [1280, 320]) {
      const context = await browser().newContext(
        width === 320 ? phone(true) : contextOptions({ viewport: { width, height: 900 } }),
      )
      const page = await context.newPage()
      const response = await page.goto(`${outside.baseUrl}/agents`)
      expect(response!.status()).toBe(403)
      await expectHeading(page, 'Accès refusé')
      await page
        .getByText(
          'Vous êtes identifié comme agent@example.org : la console n’est ouverte qu’aux adresses professionnelles de la commune (@ville-exemple.fr)',
        )
        .waitFor()
      await audit(page, 'acces-refuse', width)
      await context.close()
    }
  })

  it('sends a temporary password once confirmed, which the family then signs in with', async () => {
    const context = await browser().newContext(
      contextOptions({ viewport: { width: 1280, height: 900 } }),
    )
    const page = await context.newPage()
    await page.goto(`${desk.baseUrl}/agents`)
    await search(page, 'claire.martin@example.org')
    await expectHeading(page, 'MARTIN Claire')
    await page.getByRole('button', { name: 'Envoyer un mot de passe temporaire' }).click()
    await page
      .getByRole('heading', {
        name: 'Envoyer un mot de passe temporaire à claire.martin@example.org pour MARTIN Claire ?',
      })
      .waitFor()
    await page.getByRole('button', { name: 'Confirmer' }).click()
    await page.getByText('Un mot de passe temporaire part vers').waitFor()
    await audit(page, 'mot-de-passe-envoye', 1280)
    const temporary = await readTemporaryPassword(desk.baseUrl, 'claire.martin@example.org')
    expect(await page.content()).not.toContain(temporary)

    const family = await browser().newContext(phone(true))
    const home = await family.newPage()
    await home.goto(`${desk.baseUrl}/connexion`)
    await home.getByLabel('Identifiant').fill(FAMILY)
    await home.getByLabel('Mot de passe', { exact: true }).fill(temporary)
    await home.getByRole('button', { name: 'Se connecter', exact: true }).click()
    await home.getByText('Pour améliorer la sécurité').waitFor()
    expect(new URL(home.url()).pathname).toBe('/nouveau-mot-de-passe')
    await context.close()
    await family.close()
  })
})
