import { describe, expect, it } from 'vitest'
import {
  createFamily,
  readable,
  temporaryPasswordFromMail,
  textOf,
  Visitor,
} from '../support/helpers'

describe('the six steps, end to end, as plain form posts', () => {
  it('takes a family without a password from "Mot de passe oublié" to its family space', async () => {
    const family = await createFamily({ lastName: 'IVETON', firstName: 'Lionel' })
    const browser = new Visitor()

    const forgot = await browser.post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    expect(forgot.status).toBe(200)
    expect(await textOf(forgot)).toContain(
      "Si ce numéro de famille est connu, un e-mail vient d'être envoyé",
    )

    const temporary = await temporaryPasswordFromMail(family.email!)
    const signIn = await browser.post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(signIn.status).toBe(303)
    expect(signIn.headers.get('location')).toBe('/nouveau-mot-de-passe')

    const change = await browser.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(change.status).toBe(303)
    expect(change.headers.get('location')).toBe('/connexion')

    const loginPage = await browser.get('/connexion')
    const html = await loginPage.text()
    expect(readable(html)).toContain(
      'Votre nouveau mot de passe est enregistré. Connectez-vous avec ce mot de passe.',
    )
    expect(html).toContain(`value="${family.familyNumber}"`)

    const again = await browser.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Jardin2026',
    })
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/espace')

    const space = await browser.get('/espace')
    expect(space.status).toBe(200)
    expect(await textOf(space)).toContain('Bonjour Lionel IVETON')
  })
})
