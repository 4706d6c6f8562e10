import { describe, expect, inject, it } from 'vitest'
import { LocalClient, readTemporaryPassword } from '../../scripts/lib/local-client'
import { familyNumber } from '../support/node/browser-app'
import { runTool } from '../support/node/run-tool'

// `npm run families:send-temporary-password` end to end, on the local D1 that wrangler dev serves.
const base = () => inject('baseUrl')

describe('npm run families:send-temporary-password', () => {
  it('queues the mail in the outbox; the temporary password works, once; nothing secret is printed', async () => {
    const number = familyNumber('staff')
    const run = runTool('send-temporary-password.ts', [number, '--persist-to', inject('statePath')])
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain(`Mot de passe temporaire émis pour la famille n°${number}`)
    expect(run.stdout).toContain('s•••f@example.org')

    const temporary = await readTemporaryPassword(base(), 'staff@example.org')
    expect(run.output).not.toContain(temporary)

    const family = new LocalClient(base())
    const signIn = await family.post('/connexion', { identifier: number, password: temporary })
    expect(signIn.location).toBe('/nouveau-mot-de-passe')
    const change = await family.post('/nouveau-mot-de-passe', {
      new_password: 'Guichet-2026',
      confirmation: 'Guichet-2026',
    })
    expect(change.location).toBe('/connexion')
    const again = new LocalClient(base())
    expect(
      (await again.post('/connexion', { identifier: number, password: temporary })).status,
    ).toBe(422)
    expect(
      (await again.post('/connexion', { identifier: number, password: 'Guichet-2026' })).location,
    ).toBe('/espace')
  })

  it('refuses an unknown number and a malformed one, writing nothing', () => {
    const unknown = runTool('send-temporary-password.ts', [
      '999999999999999',
      '--persist-to',
      inject('statePath'),
    ])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toContain('Aucune famille n°999999999999999')
    const malformed = runTool('send-temporary-password.ts', ['12 34'])
    expect(malformed.status).toBe(2)
    expect(malformed.stderr).toContain('Usage')
  })
})
