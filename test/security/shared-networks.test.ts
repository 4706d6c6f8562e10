import { beforeAll, describe, expect, it } from 'vitest'
import { FakeAccessTeam } from '../support/access'
import {
  clientKeyOf,
  createFamily,
  mailsTo,
  post,
  send,
  temporaryPasswordFromMail,
  textOf,
  uniqueFamilyNumber,
  Visitor,
  postAsAgent,
  sendAsAgent,
} from '../support/helpers'

// Many families, one network (the town hall's Wi-Fi, a school, a carrier's shared IPv4): past a
// per-client limit, a browser with JavaScript is challenged instead of stopped, the commune's own
// networks get higher caps, agents can lift a network's block, and a number's block tells a stranger
// nothing about what its family did.

const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX'
let networks = 0
const freshIp = () => `127.60.${Math.floor(++networks / 250)}.${(networks % 250) + 1}`

/** Turnstile as deployed, with Cloudflare's test keys against the fake siteverify. */
const turnstile = (secret: string, ns: string) => ({
  TURNSTILE_SITE_KEY: '1x00000000000000000000AA',
  TURNSTILE_SECRET_KEY: secret,
  TURNSTILE_VERIFY_URL: `https://${ns}.siteverify.test/siteverify`,
  SIGNIN_FAILURES_PER_CLIENT: '5',
  MAILS_PER_CLIENT_PER_HOUR: '3',
})
const PASSES = '1x0000000000000000000000000000000AA'
const FAILS = '2x0000000000000000000000000000000AA'

async function exhaustNetwork(ip: string, env: Record<string, string>) {
  for (let i = 0; i < 5; i++) {
    const answer = await post(
      '/connexion',
      { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
      { ip, env },
    )
    expect(answer.status).toBe(422)
  }
}

describe('a challenge, not a wall, on a shared network', () => {
  it('challenges a browser with JavaScript past the per-client limit, and a solved challenge signs the family in', async () => {
    const env = turnstile(PASSES, 'solved')
    const ip = freshIp()
    await exhaustNetwork(ip, env)
    const family = await createFamily({ password: 'Soleil2026' })
    const form = { identifier: family.familyNumber, password: 'Soleil2026' }

    const challenged = await post('/connexion', form, { ip, env, htmx: true })
    expect(challenged.status).toBe(429)
    const html = await challenged.text()
    expect(html).toContain('class="cf-turnstile"')
    expect(html).toContain('data-sitekey="1x00000000000000000000AA"')
    expect(html).toContain('value="' + family.familyNumber + '"')

    const solved = await post(
      '/connexion',
      { ...form, 'cf-turnstile-response': DUMMY_TOKEN },
      { ip, env, htmx: true },
    )
    expect(solved.status).toBe(200)
    expect(solved.headers.get('HX-Push-Url')).toBe('/espace')
    // The app asked siteverify, with the client's address.
    const asked = (await (await fetch('https://solved.siteverify.test/__asked')).json()) as Array<
      Record<string, string>
    >
    expect(asked.at(-1)).toMatchObject({ secret: PASSES, response: DUMMY_TOKEN, remoteip: ip })
  }, 30_000)

  it('keeps the 429 and its delay for a browser without JavaScript', async () => {
    const env = turnstile(PASSES, 'plain')
    const ip = freshIp()
    await exhaustNetwork(ip, env)
    const family = await createFamily({ password: 'Soleil2026' })
    const refused = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Soleil2026' },
      { ip, env },
    )
    expect(refused.status).toBe(429)
    expect(refused.headers.get('Retry-After')).not.toBeNull()
    const html = await refused.text()
    expect(html).not.toContain('cf-turnstile')
    expect(html).toMatch(/réessayez dans \d+ minutes?/)
  })

  it('lets no refused challenge through', async () => {
    const env = turnstile(FAILS, 'refused')
    const ip = freshIp()
    await exhaustNetwork(ip, env)
    const family = await createFamily({ password: 'Soleil2026' })
    for (const token of [DUMMY_TOKEN, 'forged', '']) {
      const answer = await post(
        '/connexion',
        { identifier: family.familyNumber, password: 'Soleil2026', 'cf-turnstile-response': token },
        { ip, env, htmx: true },
      )
      expect(answer.status, token).toBe(429)
    }
  })

  it('still counts a challenged attempt per number: a locked number stays locked', async () => {
    const env = turnstile(PASSES, 'number')
    const family = await createFamily({ password: 'Soleil2026' })
    for (let i = 0; i < 6; i++) {
      await post(
        '/connexion',
        {
          identifier: family.familyNumber,
          password: 'Faux2026x',
          'cf-turnstile-response': DUMMY_TOKEN,
        },
        { ip: freshIp(), env, htmx: true },
      )
    }
    const locked = await post(
      '/connexion',
      {
        identifier: family.familyNumber,
        password: 'Soleil2026',
        'cf-turnstile-response': DUMMY_TOKEN,
      },
      { ip: freshIp(), env, htmx: true },
    )
    expect(locked.status).toBe(429)
    expect(await locked.text()).not.toContain('cf-turnstile')
  })

  it('challenges a request for mail from a client past its limit instead of refusing it', async () => {
    const env = turnstile(PASSES, 'mail')
    const ip = freshIp()
    for (let i = 0; i < 3; i++) {
      await post('/mot-de-passe-oublie', { identifier: uniqueFamilyNumber() }, { ip, env })
    }
    const family = await createFamily()
    const challenged = await post(
      '/mot-de-passe-oublie',
      { identifier: family.familyNumber },
      { ip, env, htmx: true },
    )
    expect(challenged.status).toBe(429)
    expect(await challenged.text()).toContain('class="cf-turnstile"')
    const solved = await post(
      '/mot-de-passe-oublie',
      { identifier: family.familyNumber, 'cf-turnstile-response': DUMMY_TOKEN },
      { ip, env, htmx: true },
    )
    expect(solved.status).toBe(200)
    expect(await mailsTo(family.email!)).toHaveLength(1)

    const forNumber = await post(
      '/numero-oublie',
      { email: family.email!, 'cf-turnstile-response': DUMMY_TOKEN },
      { ip, env, htmx: true },
    )
    expect(forNumber.status).toBe(200)
  })

  it('does not escalate a per-client block: the next one lasts one window again', async () => {
    const env = { SIGNIN_FAILURES_PER_CLIENT: '2' }
    const ip = freshIp()
    const start = Date.now()
    const { vi } = await import('vitest')
    vi.useFakeTimers({ toFake: ['Date'], now: start })
    try {
      const guess = () =>
        post('/connexion', { identifier: uniqueFamilyNumber(), password: 'Faux2026x' }, { ip, env })
      for (const round of [0, 1, 2]) {
        vi.setSystemTime(start + round * 16 * 60_000)
        await guess()
        await guess()
        const refused = await guess()
        expect(refused.status, `round ${round}`).toBe(429)
        expect(Number(refused.headers.get('Retry-After'))).toBeLessThanOrEqual(15 * 60)
      }
    } finally {
      vi.useRealTimers()
    }
  }, 30_000)
})

describe('networks the commune trusts', () => {
  it('gives an address in TRUSTED_NETWORKS ten times the per-client cap', async () => {
    const env = {
      SIGNIN_FAILURES_PER_CLIENT: '2',
      TRUSTED_NETWORKS: '127.61.0.0/16, 2001:db8::/32',
    }
    const guess = (ip: string) =>
      post('/connexion', { identifier: uniqueFamilyNumber(), password: 'Faux2026x' }, { ip, env })
    const trusted = []
    for (let i = 0; i < 21; i++) trusted.push((await guess('127.61.4.4')).status)
    expect(trusted).toEqual([...Array(20).fill(422), 429])
    const other = []
    for (let i = 0; i < 3; i++) other.push((await guess('127.62.4.4')).status)
    expect(other).toEqual([422, 422, 429])
  }, 30_000)

  it('refuses a TRUSTED_NETWORKS value that is not a list of CIDR blocks', async () => {
    const answer = await send('/connexion', { env: { TRUSTED_NETWORKS: '127.61.0.0/16 mairie' } })
    expect(answer.status).toBe(503)
  })
})

describe("agents see a network's block and lift it", () => {
  let team: FakeAccessTeam
  beforeAll(async () => {
    team = await new FakeAccessTeam().publish()
  })

  it('lists the blocked network by its keyed hash (never an address) and lifts it', async () => {
    const ip = freshIp()
    const env = { SIGNIN_FAILURES_PER_CLIENT: '2' }
    for (let i = 0; i < 3; i++) {
      await post(
        '/connexion',
        { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
        { ip, env },
      )
    }
    const page = await sendAsAgent(team, '/agents')
    const html = await page.text()
    const network = clientKeyOf(ip)
    expect(html).toContain(network.slice(0, 12))
    expect(html).not.toContain(ip)

    const lifted = await postAsAgent(team, `/agents/reseaux/${network}/levee-des-limites`, {
      confirmation: 'oui',
    })
    expect(await textOf(lifted)).toContain('sont levées')
    const after = await post(
      '/connexion',
      { identifier: uniqueFamilyNumber(), password: 'Faux2026x' },
      { ip, env },
    )
    expect(after.status).toBe(422)
  })
})

describe('no oracle in the limits', () => {
  it("does not end a number's block when its family changes its password, and lets the family's browser in", async () => {
    const family = await createFamily({ password: 'Soleil2026' })
    const stranger = freshIp()
    for (let i = 0; i < 6; i++) {
      await post(
        '/connexion',
        { identifier: family.familyNumber, password: `Faux${i}Faux` },
        { ip: stranger },
      )
    }
    const home = new Visitor()
    await home.post('/mot-de-passe-oublie', { identifier: family.familyNumber })
    await home.post('/connexion', {
      identifier: family.familyNumber,
      password: await temporaryPasswordFromMail(family.email!),
    })
    const saved = await home.post('/nouveau-mot-de-passe', {
      new_password: 'Jardin2026',
      confirmation: 'Jardin2026',
    })
    expect(saved.headers.get('location')).toBe('/connexion')

    // The stranger's probe reads the same as before the family acted.
    const probe = await post(
      '/connexion',
      { identifier: family.familyNumber, password: 'Faux7Faux' },
      { ip: stranger },
    )
    expect(probe.status).toBe(429)
    // The browser that changed the password is the family's device now.
    const signedIn = await home.post('/connexion', {
      identifier: family.familyNumber,
      password: 'Jardin2026',
    })
    expect(signedIn.headers.get('location')).toBe('/espace')
  })
})
