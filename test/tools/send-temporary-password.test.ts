import { describe, expect, inject, it } from 'vitest'
import { clientAddress } from '../e2e/chromium'
import { familyNumber } from '../e2e/support'
import { runTool } from './run-tool'

// `npm run families:send-temporary-password` end to end, on the local D1 that wrangler dev serves.
const base = () => inject('baseUrl')

async function post(path: string, form: Record<string, string>, cookie = '') {
  const response = await fetch(`${base()}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: base(),
      'content-type': 'application/x-www-form-urlencoded',
      'cf-connecting-ip': clientAddress(),
      cookie,
    },
    body: new URLSearchParams(form),
  })
  const session = response.headers.getSetCookie().find((line) => line.startsWith('__Host-session='))
  return {
    status: response.status,
    location: response.headers.get('location'),
    cookie: session?.split(';')[0] ?? '',
  }
}

describe('npm run families:send-temporary-password', () => {
  it('queues the mail in the outbox; the temporary password works, once; nothing secret is printed', async () => {
    const number = familyNumber('staff')
    const run = runTool('send-temporary-password.ts', [number, '--persist-to', inject('statePath')])
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain(`Mot de passe temporaire émis pour la famille n°${number}`)
    expect(run.stdout).toContain('s•••f@example.org')

    const mails = (await (await fetch(`${base()}/dev/mails.json`)).json()) as Array<{
      to: string
      text: string
    }>
    const mail = mails.find((candidate) => candidate.to === 'staff@example.org')!
    const temporary = /Mot de passe : ([0-9a-f]{32})/.exec(mail.text)![1]!
    expect(mail.text).toContain(`- Login : ${number}`)
    expect(run.output).not.toContain(temporary)

    const signIn = await post('/connexion', { identifier: number, password: temporary })
    expect(signIn.location).toBe('/nouveau-mot-de-passe')
    const change = await post(
      '/nouveau-mot-de-passe',
      { new_password: 'Guichet-2026', confirmation: 'Guichet-2026' },
      signIn.cookie,
    )
    expect(change.location).toBe('/connexion')
    expect((await post('/connexion', { identifier: number, password: temporary })).status).toBe(422)
    expect(
      (await post('/connexion', { identifier: number, password: 'Guichet-2026' })).location,
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
