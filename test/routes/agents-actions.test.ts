import { beforeAll, describe, expect, it } from 'vitest'
import { FakeAccessTeam } from '../support/access'
import {
  createFamily,
  mailsTo,
  post,
  postAsAgent,
  sendAsAgent,
  temporaryPasswordFromMail,
  textOf,
  Visitor,
} from '../support/helpers'

// What an agent's action leaves behind: no open door after « Fermer toutes les sessions », a way to
// void a live temporary password, and mails that cannot be sent without bound.
let team: FakeAccessTeam
beforeAll(async () => {
  team = await new FakeAccessTeam().publish()
})

/** An action, confirmed (the first post only asks: test/routes/agents-journal.test.ts). */
const act = (familyNumber: string, action: string) =>
  postAsAgent(team, `/agents/familles/${familyNumber}/${action}`, { confirmation: 'oui' })

/** An intruder who holds the family's live temporary password, signed in with it. */
async function intruderWithTemporaryPassword() {
  const family = await createFamily()
  await post('/mot-de-passe-oublie', { identifier: family.familyNumber })
  const temporary = await temporaryPasswordFromMail(family.email!)
  const intruder = new Visitor()
  await intruder.post('/connexion', { identifier: family.familyNumber, password: temporary })
  return { family, temporary, intruder }
}

describe("the agents' actions leave no door open", () => {
  it('ends the sessions and voids the live temporary password, as the button says', async () => {
    const { family, temporary, intruder } = await intruderWithTemporaryPassword()
    const page = await (await sendAsAgent(team, `/agents/familles/${family.familyNumber}`)).text()
    expect(page).toContain('Fermer toutes les sessions et annuler le mot de passe temporaire')

    const answer = await act(family.familyNumber, 'fin-des-sessions')
    expect(await textOf(answer)).toContain('le mot de passe temporaire en cours')
    const again = await intruder.post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(again.status).toBe(422)
  })

  it('voids a live temporary password on its own, and says when there was none', async () => {
    const { family, temporary, intruder } = await intruderWithTemporaryPassword()
    const answer = await act(family.familyNumber, 'annulation-mot-de-passe-temporaire')
    expect(await textOf(answer)).toContain('Le mot de passe temporaire est annulé')
    expect(await textOf(await intruder.get('/nouveau-mot-de-passe'))).toContain(
      'Votre session a pris fin',
    )
    const withIt = await new Visitor().post('/connexion', {
      identifier: family.familyNumber,
      password: temporary,
    })
    expect(withIt.status).toBe(422)
    const none = await act(family.familyNumber, 'annulation-mot-de-passe-temporaire')
    expect(await textOf(none)).toContain('n’avait pas de mot de passe temporaire')
  })

  it('sends at most 3 temporary passwords an hour to a family, whatever the agents click', async () => {
    const family = await createFamily()
    for (let i = 0; i < 3; i++) {
      expect(await textOf(await act(family.familyNumber, 'mot-de-passe-temporaire'))).toContain(
        'Un mot de passe temporaire part vers',
      )
    }
    const fourth = await act(family.familyNumber, 'mot-de-passe-temporaire')
    expect(await textOf(fourth)).toMatch(
      /Trois mots de passe temporaires .* réessayez dans \d+ minutes/,
    )
    expect(await mailsTo(family.email!)).toHaveLength(3)
    // Inside the hourly budget like the public forms' mails.
    expect((await mailsTo(family.email!)).every((mail) => mail.inBudget)).toBe(true)
  })
})
