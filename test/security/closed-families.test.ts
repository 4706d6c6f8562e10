import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { devices, families, sessions } from '../../src/db/schema'
import { RETENTION } from '../../src/services/retention'
import { FakeAccessTeam } from '../support/access'
import {
  createFamily,
  db,
  mailsTo,
  post,
  reloadFamily,
  runCron,
  sendAsAgent,
  setCookies,
  testConfig,
  textOf,
  uniqueFamilyNumber,
} from '../support/helpers'
import { FAMILY_PASSWORD, signedInFamily } from '../support/signed-in'

// A family the commune's export no longer lists is closed by the import (--close-missing,
// test/services/families-import.test.ts): it cannot sign in or receive mail, and is told why only
// once it proved who it is; a stranger sees the usual answers (docs/data-and-retention.md).
const CLOSED = `Votre accès famille est fermé. ${testConfig.contactText}`
const WRONG = 'Identifiant ou mot de passe incorrect.'

const closedFamily = async (closedAt = Date.now()) => {
  const { family } = await signedInFamily()
  await db.update(families).set({ closedAt }).where(eq(families.id, family.id))
  return family
}

describe('a closed family', () => {
  it('is told its access is closed after its correct password, and gets no session', async () => {
    const family = await closedFamily()
    const response = await post('/connexion', {
      identifier: family.familyNumber,
      password: FAMILY_PASSWORD,
    })
    expect(response.status).toBe(403)
    const text = await textOf(response)
    expect(text).toContain(CLOSED)
    expect(text).not.toContain(WRONG)
    expect(setCookies(response).has('__Host-session')).toBe(false)
  })

  it('loses a session it still had: the family space sends it to /connexion', async () => {
    const { family, browser } = await signedInFamily()
    expect((await browser.send('/espace')).status).toBe(200)
    // Closed without the import's batch (which ends its sessions): the session itself refuses.
    await db.update(families).set({ closedAt: Date.now() }).where(eq(families.id, family.id))
    const after = await browser.send('/espace')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toBe('/connexion')
  })

  it('shows a stranger with a wrong password the usual answer, as for any number', async () => {
    const family = await closedFamily()
    const closed = await post('/connexion', {
      identifier: family.familyNumber,
      password: 'Faux-2026',
    })
    const unknown = await post('/connexion', {
      identifier: uniqueFamilyNumber(),
      password: 'Faux-2026',
    })
    expect(closed.status).toBe(unknown.status)
    const text = await textOf(closed)
    expect(text).toContain(WRONG)
    expect(text).not.toContain('fermé')
  })

  it('is told its access is closed with a live temporary password, asked before the closing', async () => {
    const family = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    const [mail] = await mailsTo(family.email!)
    const temporary = /Mot de passe : ([0-9a-f]{32})/.exec(mail!.text!)![1]!
    await db.update(families).set({ closedAt: Date.now() }).where(eq(families.id, family.id))

    const response = await post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(response.status).toBe(403)
    expect(await textOf(response)).toContain(CLOSED)
    expect(await db.select().from(sessions).where(eq(sessions.familyId, family.id))).toHaveLength(0)
  })

  it('gets no mail from « Mot de passe oublié » or « Numéro oublié », with the usual pages', async () => {
    const family = await closedFamily()
    const asked = await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    expect(asked.status).toBe(200)
    expect(await textOf(asked)).toContain('Si ce numéro de famille est connu')
    const forgotten = await post('/numero-oublie', { email: family.email! })
    expect(forgotten.status).toBe(200)
    await forgotten.settled
    expect(await mailsTo(family.email!)).toHaveLength(0)
  })

  it('is shown closed to agents, who are not offered to mail it', async () => {
    const team = await new FakeAccessTeam().publish()
    const family = await closedFamily()
    const page = await sendAsAgent(team, `/agents/familles/${family.familyNumber}`)
    expect(page.status).toBe(200)
    const text = await textOf(page)
    expect(text).toMatch(/Accès fermé le \d{2}\/\d{2}\/\d{4}/)
    expect(text).not.toContain('Envoyer un mot de passe temporaire')
  })

  it('is deleted by the cron with its devices once closed for longer than its retention', async () => {
    const now = Date.now()
    const old = await closedFamily(now - RETENTION.closedFamilyMs - 60_000)
    const recent = await closedFamily(now - RETENTION.closedFamilyMs + 3_600_000)
    expect(await db.select().from(devices).where(eq(devices.familyId, old.id))).toHaveLength(1)

    await runCron(now)
    expect(await db.select().from(families).where(eq(families.id, old.id))).toHaveLength(0)
    expect(await db.select().from(devices).where(eq(devices.familyId, old.id))).toHaveLength(0)
    expect((await reloadFamily(recent.id)).closedAt).not.toBeNull()
  })
})
