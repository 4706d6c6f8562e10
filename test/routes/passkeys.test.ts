import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { passkeys, sessions } from '../../src/db/schema'
import {
  createFamily,
  db,
  mailsTo,
  reloadFamily,
  runCron,
  setCookies,
  textOf,
  Visitor,
} from '../support/helpers'
import { FAMILY_PASSWORD, signedInFamily } from '../support/signed-in'
import { registerPasskey, signInChallenge, SoftPasskey } from '../support/webauthn'
import { passkeyOfferDue } from '../../src/services/flows/passkeys'

const OFFER = "Se connecter plus vite avec une clé d'accès"

async function signInWithPasskey(browser: Visitor, passkey: SoftPasskey) {
  return browser.post(
    '/connexion/cle-d-acces',
    await passkey.assertion(await signInChallenge(browser)),
  )
}

describe('POST /espace/cles-d-acces/defi', () => {
  it('asks for a discoverable, user-verified credential under an opaque handle, never the number', async () => {
    const { family, browser } = await signedInFamily({ lastName: 'MARTIN', firstName: 'Claire' })
    const answer = await browser.post('/espace/cles-d-acces/defi', {})
    expect(answer.status).toBe(200)
    const options = (await answer.json()) as Record<string, any>
    expect(options.rp).toEqual({ id: '127.0.0.1', name: expect.any(String) })
    expect(options.user.name).toBe(family.familyNumber)
    expect(options.user.displayName).toBe('MARTIN Claire')
    expect(options.user.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(options.user.id).not.toContain(family.familyNumber)
    expect(options.authenticatorSelection).toEqual({
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    })
    expect(options.attestation).toBe('none')
    expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-7, -257])
    // The same handle every time: an authenticator replaces the family's passkey, not adds one.
    const again = (await (await browser.post('/espace/cles-d-acces/defi', {})).json()) as any
    expect(again.user.id).toBe(options.user.id)
    expect(again.challenge).not.toBe(options.challenge)
  })

  it('answers 401 without a session', async () => {
    const answer = await new Visitor().post('/espace/cles-d-acces/defi', {})
    expect(answer.status).toBe(401)
  })
})

describe('adding a passkey (POST /espace/cles-d-acces)', () => {
  it('stores only its public key, lists it with a default name and mails the family', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const [row] = await db.select().from(passkeys).where(eq(passkeys.familyId, family.id))
    expect(row!.id).toBe(passkey.id)
    expect(row!.algorithm).toBe(-7)
    expect(JSON.parse(row!.publicKey)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    })
    const text = await textOf(await browser.get('/espace'))
    expect(text).toMatch(/Appareil, créée le \d{1,2} \S+ \d{4}/)
    expect(text).toContain('jamais utilisée')
    const [mail] = await mailsTo(family.email!)
    expect(mail!.subject).toBe("Une clé d'accès a été ajoutée à votre espace famille")
    expect(mail!.text).toContain(family.familyNumber)
  })

  it('keeps the name the family gives, without control characters', async () => {
    const { browser } = await signedInFamily()
    await registerPasskey(browser, { name: '  Téléphone de Claire\u0007 ' })
    expect(await textOf(await browser.get('/espace'))).toContain('Téléphone de Claire')
  })

  it('names it after the device when the family gives no name', async () => {
    const { browser } = await signedInFamily()
    const answer = await browser.post('/espace/cles-d-acces/defi', {})
    const options = (await answer.json()) as any
    const passkey = await SoftPasskey.make(options.user.id)
    await browser.post('/espace/cles-d-acces', await passkey.attestation(options.challenge), {
      headers: {
        'User-Agent':
          'Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36',
      },
    })
    expect(await textOf(await browser.get('/espace'))).toContain('Téléphone Android, créée le')
  })

  it('accepts RS256 keys (Windows Hello)', async () => {
    const { browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser, { algorithm: 'RS256' })
    await browser.post('/deconnexion', {})
    const answer = await signInWithPasskey(browser, passkey)
    expect(answer.headers.get('location')).toBe('/espace')
  })

  it('refuses an eleventh passkey', async () => {
    const { browser } = await signedInFamily()
    for (let i = 0; i < 10; i++) await registerPasskey(browser)
    const answer = await browser.post('/espace/cles-d-acces/defi', {})
    expect(answer.status).toBe(409)
    expect(await textOf(await browser.get('/espace'))).toContain('le maximum')
  })

  it('refuses a registration without its credential, keeping the family space', async () => {
    const { family, browser } = await signedInFamily()
    const answer = await browser.post('/espace/cles-d-acces', { name: 'x' }, { htmx: true })
    expect(answer.status).toBe(422)
    expect(await textOf(answer)).toContain("La clé d'accès n'a pas pu être enregistrée")
    expect(await db.select().from(passkeys).where(eq(passkeys.familyId, family.id))).toEqual([])
  })

  it('is out of reach of a browser without a session', async () => {
    const answer = await new Visitor().post('/espace/cles-d-acces', { name: 'x' })
    expect(answer.status).toBe(303)
    expect(answer.headers.get('location')).toBe('/connexion')
  })
})

describe('signing in with a passkey (POST /connexion/cle-d-acces)', () => {
  it('opens a full session with a device cookie, like the password, and records its use', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const phone = new Visitor()
    const answer = await signInWithPasskey(phone, passkey)
    expect(answer.status).toBe(303)
    expect(answer.headers.get('location')).toBe('/espace')
    const cookies = setCookies(answer)
    expect(cookies.get('__Host-session')?.value).toMatch(/^[0-9a-f]{64}$/)
    expect(cookies.get('__Host-device')?.value).toBeTruthy()
    const text = await textOf(await phone.get('/espace'))
    expect(text).toContain(`Bonjour ${family.firstName} ${family.lastName}`)
    expect(text).toMatch(/dernière utilisation le/)
    const open = await db.select().from(sessions).where(eq(sessions.familyId, family.id))
    expect(open.map((session) => [session.kind, session.method]).sort()).toEqual([
      ['full', 'passkey'],
      ['full', 'password'],
    ])
  })

  it('answers htmx with the family space at once', async () => {
    const { browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const phone = new Visitor()
    const assertion = await passkey.assertion(await signInChallenge(phone))
    const answer = await phone.post('/connexion/cle-d-acces', assertion, { htmx: true })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('HX-Push-Url')).toBe('/espace')
    expect(await textOf(answer)).toContain('Bienvenue dans votre espace famille')
  })

  it('refuses a deleted passkey with a clear message and the sign-in form', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const removed = await browser.post('/espace/cles-d-acces/suppression', { passkey: passkey.id })
    expect(removed.headers.get('location')).toBe('/espace')
    const mails = await mailsTo(family.email!)
    expect(mails.map((mail) => mail.subject)).toContain(
      "Une clé d'accès a été supprimée de votre espace famille",
    )
    const answer = await signInWithPasskey(new Visitor(), passkey)
    expect(answer.status).toBe(422)
    const text = await textOf(answer)
    expect(text).toContain("Cette clé d'accès n'a pas été acceptée")
    expect(text).toContain('Mot de passe oublié')
  })

  it('ends the sessions it opened when it is removed, and only those', async () => {
    const { browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const phone = new Visitor()
    await signInWithPasskey(phone, passkey)
    expect((await phone.get('/espace')).status).toBe(200)
    await browser.post('/espace/cles-d-acces/suppression', { passkey: passkey.id })
    const after = await phone.get('/espace')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toBe('/connexion')
    expect((await browser.get('/espace')).status).toBe(200)
  })

  it('still lets the family in with its password and by mail', async () => {
    const { family, browser } = await signedInFamily()
    await registerPasskey(browser)
    const other = new Visitor()
    const signedIn = await other.post('/connexion', {
      identifier: family.familyNumber,
      password: FAMILY_PASSWORD,
    })
    expect(signedIn.headers.get('location')).toBe('/espace')
    const asked = await new Visitor().post('/mot-de-passe-oublie', {
      identifier: family.familyNumber,
    })
    expect(asked.status).toBe(200)
  })

  it('tells a closed family its access is closed, and opens nothing', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    await db.run(`update families set closed_at = ${Date.now()} where id = ${family.id}` as never)
    const answer = await signInWithPasskey(new Visitor(), passkey)
    expect(answer.status).toBe(403)
    expect(await textOf(answer)).toContain('Votre accès famille est fermé')
    expect(setCookies(answer).has('__Host-session')).toBe(false)
  })
})

describe('the passkey offer in the family space', () => {
  it('comes after a password sign-in, hidden until the script finds WebAuthn', async () => {
    const { browser } = await signedInFamily()
    const page = await browser.get('/espace')
    const html = await page.text()
    expect(html).toMatch(/<section class="offer"[^>]*data-webauthn[^>]*hidden/)
    const text = await textOf(new Response(html))
    expect(text).toContain(OFFER)
    expect(text).toContain("Ne créez pas de clé d'accès sur un ordinateur partagé")
    expect(text).toContain('Plus tard')
  })

  it('does not come once the family has a passkey, nor after a passkey sign-in', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    expect(await textOf(await browser.get('/espace'))).not.toContain(OFFER)
    const phone = new Visitor()
    await signInWithPasskey(phone, passkey)
    const text = await textOf(await phone.get('/espace'))
    expect(text).toContain('Bienvenue dans votre espace famille')
    expect(text).not.toContain(OFFER)
    // Removing the passkey ends the session it opened, so a passkey session never meets a family with
    // none in the space; the rule itself still says no to it.
    const now = Date.now()
    const fresh = { ...(await reloadFamily(family.id)), passwordChangedAt: null }
    expect(passkeyOfferDue({ method: 'passkey', createdAt: now }, fresh, 0, now)).toBe(false)
    expect(passkeyOfferDue({ method: 'password', createdAt: now }, fresh, 0, now)).toBe(true)
    expect(
      passkeyOfferDue({ method: 'password', createdAt: now - 16 * 60_000 }, fresh, 0, now),
    ).toBe(false)
  })

  it('does not come on the first sign-in after a password change (a reset)', async () => {
    const family = await createFamily({ password: FAMILY_PASSWORD })
    const browser = new Visitor()
    await browser.post('/connexion', { identifier: family.familyNumber, password: FAMILY_PASSWORD })
    await browser.post('/nouveau-mot-de-passe', {
      current_password: FAMILY_PASSWORD,
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    await browser.post('/connexion', { identifier: family.familyNumber, password: 'Jardin2026' })
    expect(await textOf(await browser.get('/espace'))).not.toContain(OFFER)
    await browser.post('/deconnexion', {})
    await browser.post('/connexion', { identifier: family.familyNumber, password: 'Jardin2026' })
    expect(await textOf(await browser.get('/espace'))).toContain(OFFER)
  })

  it('stays away a month after « Plus tard »', async () => {
    const { family, browser } = await signedInFamily()
    const later = await browser.post('/espace/cles-d-acces/plus-tard', {})
    expect(later.headers.get('location')).toBe('/espace')
    expect(await textOf(await browser.get('/espace'))).not.toContain(OFFER)
    const dismissed = (await reloadFamily(family.id)).passkeyOfferDismissedAt!
    await db.run(
      `update families set passkey_offer_dismissed_at = ${dismissed - 30 * 86_400_000} where id = ${family.id}` as never,
    )
    expect(await textOf(await browser.get('/espace'))).toContain(OFFER)
  })
})

describe('removing passkeys', () => {
  it("never removes another family's passkey", async () => {
    const first = await signedInFamily()
    const { passkey } = await registerPasskey(first.browser)
    const second = await signedInFamily()
    const answer = await second.browser.post('/espace/cles-d-acces/suppression', {
      passkey: passkey.id,
    })
    expect(answer.status).toBe(422)
    expect(await db.select().from(passkeys).where(eq(passkeys.id, passkey.id))).toHaveLength(1)
  })

  it('goes with the password change when the family asks, and says so in the mail', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    const form = await textOf(await browser.get('/nouveau-mot-de-passe'))
    expect(form).toContain("Supprimer aussi les clés d'accès enregistrées")
    const changed = await browser.post('/nouveau-mot-de-passe', {
      current_password: FAMILY_PASSWORD,
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
      remove_passkeys: '1',
    })
    expect(changed.headers.get('location')).toBe('/connexion')
    expect(await db.select().from(passkeys).where(eq(passkeys.familyId, family.id))).toEqual([])
    const [notice] = (await mailsTo(family.email!)).filter(
      (mail) => mail.subject === 'Votre mot de passe a été modifié',
    )
    expect(notice!.text).toContain("les clés d'accès de votre espace ont été supprimées")
    expect((await signInWithPasskey(new Visitor(), passkey)).status).toBe(422)
  })

  it('stay when the password changes without the box ticked', async () => {
    const { family, browser } = await signedInFamily()
    const { passkey } = await registerPasskey(browser)
    await browser.post('/nouveau-mot-de-passe', {
      current_password: FAMILY_PASSWORD,
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(await db.select().from(passkeys).where(eq(passkeys.familyId, family.id))).toHaveLength(1)
    expect((await signInWithPasskey(new Visitor(), passkey)).headers.get('location')).toBe(
      '/espace',
    )
  })
})

describe('challenges', () => {
  it('are deleted by the cron once expired', async () => {
    const browser = new Visitor()
    await signInChallenge(browser)
    await runCron(Date.now() + 11 * 60_000)
    const left = await db.run('select count(*) as n from passkey_challenges' as never)
    expect((left as any).results[0].n).toBe(0)
  })
})
