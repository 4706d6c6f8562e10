import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config'
import { securityEvents } from '../../src/db/schema'
import { RETENTION } from '../../src/services/retention'
import { DEPLOYMENT_FACTS, db, runCron, send, textOf } from '../support/helpers'
import { signedInWithTemporaryPassword } from '../support/signed-in'

// The pages French law requires of a public service, from configuration (docs/public-service-pages.md).
const commune = DEPLOYMENT_FACTS

const original = { ...RETENTION }
afterEach(() => {
  Object.assign(RETENTION, original)
})

describe('GET /accessibilite', () => {
  it('follows the RGAA statement model: status, no audit, contact for an alternative, recourse', async () => {
    const text = await textOf(await send('/accessibilite', { env: commune }))
    expect(text).toContain(
      'Ville de Saint-Exemple s’engage à rendre ses services en ligne accessibles',
    )
    expect(text).toContain(
      'est non conforme avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1',
    )
    expect(text).toContain('Aucun audit de conformité n’a encore été réalisé.')
    // Met whatever the audit: the browser tests validate every page (test/support/node/html-validity.ts).
    expect(text).toContain(
      '8.2 : le code source de chaque page et de chaque message d’erreur est valide selon le type de document (HTML)',
    )
    expect(text).toContain('alternative accessible')
    expect(text).toContain('Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07')
  })

  it('states a configured audit and status, and every footer says it', async () => {
    const env = {
      ACCESSIBILITY_STATUS: 'partiellement conforme',
      ACCESSIBILITY_AUDIT_DATE: '2026-10-15',
    }
    const text = await textOf(await send('/accessibilite', { env }))
    expect(text).toContain('est partiellement conforme avec le référentiel')
    expect(text).toContain('réalisé le 15 octobre 2026')
    for (const path of [
      '/connexion',
      '/mot-de-passe-oublie',
      '/numero-oublie',
      '/page-inexistante',
    ]) {
      const html = await (await send(path, { env })).text()
      expect(html, path).toContain(
        '<a href="/accessibilite">Accessibilité : partiellement conforme</a>',
      )
      expect(html, path).toContain('<a href="/donnees-personnelles">Données personnelles</a>')
      expect(html, path).toContain('<a href="/mentions-legales">Mentions légales</a>')
    }
  })
})

describe('GET /donnees-personnelles', () => {
  it('names the controller, purpose, basis, data, recipients, cookies, rights, DPO and CNIL', async () => {
    const text = await textOf(await send('/donnees-personnelles', { env: commune }))
    for (const expected of [
      'Ville de Saint-Exemple, Hôtel de ville, 2 rue de la Paix, 12345 Saint-Exemple',
      'mission de service public',
      'RGPD, article 6.1.e',
      'numéro de famille',
      'Cloudflare, Inc.',
      'Brevo',
      '__Host-session',
      '__Host-device',
      '__Host-flash',
      'ne demandent donc pas de consentement',
      'dpo@saint-exemple.fr',
      'CNIL, 3 place de Fontenoy',
    ]) {
      expect(text).toContain(expected)
    }
  })

  it('reads every retention figure from the code: change the constant, the page and the cron follow', async () => {
    expect(await textOf(await send('/donnees-personnelles'))).toContain(
      'journal des connexions et des demandes : 365 jours',
    )
    RETENTION.securityEventsMs = 180 * 24 * 3_600_000
    RETENTION.finishedMailsMs = 14 * 24 * 3_600_000
    const text = await textOf(await send('/donnees-personnelles'))
    expect(text).toContain('journal des connexions et des demandes : 180 jours')
    expect(text).toContain('jamais un mot de passe une fois envoyé) : 14 jours')

    const now = Date.now()
    const [old] = await db
      .insert(securityEvents)
      .values({ type: 'sign_in_failed', createdAt: now - 200 * 24 * 3_600_000 })
      .returning()
    await runCron(now)
    expect(
      await db.select().from(securityEvents).where(eq(securityEvents.id, old!.id)),
    ).toHaveLength(0)
  })

  it('states the session and temporary-password lifetimes from configuration', async () => {
    const env = {
      SESSION_IDLE_MINUTES: '20',
      SESSION_ABSOLUTE_HOURS: '8',
      TEMPORARY_PASSWORD_TTL_MINUTES: '45',
    }
    const text = await textOf(await send('/donnees-personnelles', { env }))
    expect(text).toContain('session de connexion : 20 minutes sans activité, 8 heures au plus')
    expect(text).toContain('mot de passe temporaire : 45 minutes')
  })
})

describe('GET /mentions-legales', () => {
  it('names the publisher, the publication director and the host', async () => {
    const text = await textOf(await send('/mentions-legales', { env: commune }))
    expect(text).toContain('Ville de Saint-Exemple, Hôtel de ville, 2 rue de la Paix')
    expect(text).toContain('Mme Jeanne Exemple, maire')
    expect(text).toContain('Cloudflare, Inc., 101 Townsend Street, San Francisco')
  })
})

describe('the public-service pages', () => {
  it('are open to a family on step 5 too (a restricted session is not sent back to step 5)', async () => {
    const { browser } = await signedInWithTemporaryPassword()
    for (const path of ['/accessibilite', '/donnees-personnelles', '/mentions-legales']) {
      expect((await browser.get(path)).status, path).toBe(200)
    }
  })

  it('refuse to go to production with the development samples or an unaudited compliance claim', () => {
    const production = {
      ENVIRONMENT: 'production',
      PUBLIC_URL: 'https://famille.saint-exemple.fr',
      MAIL_PROVIDER: 'http',
      MAIL_FROM: 'Portail Famille <ne-pas-repondre@saint-exemple.fr>',
      MAIL_API_KEY: 'key',
      CLIENT_KEY_SECRET: 'a-production-secret-of-64-hex-characters-0123456789abcdef0123456',
    }
    const withSamples = parseConfig(production)
    expect(withSamples.ok).toBe(false)
    const problems = withSamples.ok ? [] : withSamples.problems.join('\n')
    for (const name of ['COMMUNE_NAME', 'PUBLISHER_ADDRESS', 'PUBLICATION_DIRECTOR', 'DPO_CONTACT'])
      expect(problems).toContain(`${name}: still the development sample`)
    expect(parseConfig({ ...production, ...commune }).ok).toBe(true)
    const claimed = parseConfig({
      ...production,
      ...commune,
      ACCESSIBILITY_STATUS: 'totalement conforme',
    })
    expect(claimed.ok ? '' : claimed.problems.join()).toContain('ACCESSIBILITY_AUDIT_DATE')
  })
})
