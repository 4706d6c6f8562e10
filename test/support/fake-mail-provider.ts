// A fake mail API, run in Node behind miniflare's outboundService: every fetch made inside workerd
// (by the Worker or by a test) lands here. Hosts `*.mail-api.test` act as the provider, each host with
// its own state so test files running at once do not mix; anything else is refused (no network in tests).
//   POST https://<ns>.mail-api.test/...        a send: recorded, answered by the next scripted reply
//   GET  https://<ns>.mail-api.test/__received what was received so far
//   POST https://<ns>.mail-api.test/__script   JSON list of replies: a status, "hang" (never answers),
//                                              "late" (accepts the mail, answers 201 after 1.5 s)
//   POST https://<ns>.mail-api.test/__reset
import { FakeFranceConnect, type Bend, type Person } from './franceconnect-provider'

type Received = {
  url: string
  method: string
  headers: Record<string, string>
  body: string
  reply: Reply
}
type Reply = number | 'hang' | 'late'
type Mailbox = { received: Received[]; script: Reply[]; fallback: Reply }

const mailboxes = new Map<string, Mailbox>()

function mailbox(host: string): Mailbox {
  let box = mailboxes.get(host)
  if (!box) {
    box = { received: [], script: [], fallback: 201 }
    mailboxes.set(host, box)
  }
  return box
}

// A fake Cloudflare Access team: `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs` serves the
// JWKS a test registered with POST /__keys (test/support/access.ts), counts how often it was fetched
// (GET /__fetches), and never answers after POST /__hang. No test talks to Cloudflare.
const accessTeams = new Map<string, { keys: unknown[]; fetches: number; hang: boolean }>()

async function fakeAccessTeam(request: Request, url: URL): Promise<Response> {
  const team = accessTeams.get(url.hostname) ?? { keys: [], fetches: 0, hang: false }
  accessTeams.set(url.hostname, team)
  switch (url.pathname) {
    case '/__keys':
      team.keys = ((await request.json()) as { keys: unknown[] }).keys
      return new Response('ok')
    case '/__hang':
      team.hang = true
      return new Response('ok')
    case '/__fetches':
      return Response.json(team.fetches)
    case '/cdn-cgi/access/certs':
      team.fetches++
      if (team.hang) return new Promise<Response>(() => {})
      return Response.json({ keys: team.keys })
  }
  return new Response('not found', { status: 404 })
}

// A fake Turnstile siteverify at `https://<ns>.siteverify.test/`, answering as Cloudflare documents
// for its test secrets (developers.cloudflare.com/turnstile/troubleshooting/testing/): `1x…AA` passes,
// `2x…AA` fails, `3x…AA` says "timeout-or-duplicate"; the dummy token is the only one the test
// sitekeys produce. It records what it was asked (GET /__asked), so a test sees the call was made.
const TURNSTILE_DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX'
const siteverifyCalls = new Map<string, Array<Record<string, string>>>()

async function fakeSiteverify(request: Request, url: URL): Promise<Response> {
  const calls = siteverifyCalls.get(url.hostname) ?? []
  siteverifyCalls.set(url.hostname, calls)
  if (url.pathname === '/__asked') return Response.json(calls)
  const form = Object.fromEntries(new URLSearchParams(await request.text()))
  calls.push(form)
  const { secret = '', response = '' } = form
  const errors =
    response !== TURNSTILE_DUMMY_TOKEN
      ? ['invalid-input-response']
      : secret.startsWith('2x')
        ? ['invalid-input-response']
        : secret.startsWith('3x')
          ? ['timeout-or-duplicate']
          : secret.startsWith('1x')
            ? []
            : ['invalid-input-secret']
  return Response.json({ success: errors.length === 0, 'error-codes': errors })
}

// A FranceConnect v2 stand-in per host `https://<ns>.franceconnect.test/api/v2` (the Worker's
// configured issuer in route tests): discovery, JWKS, token and userinfo as test/support/
// franceconnect-provider.ts answers them, and two controls for the test:
//   POST /__consent {authorizationUrl, person}   the person signs in there: the callback URL
//   POST /__bend {bend}                          how its next answers are bent
const franceConnects = new Map<string, Promise<FakeFranceConnect>>()

async function fakeFranceConnect(request: Request, url: URL): Promise<Response> {
  let made = franceConnects.get(url.hostname)
  if (!made) {
    made = FakeFranceConnect.make(`https://${url.hostname}/api/v2`)
    franceConnects.set(url.hostname, made)
  }
  const provider = await made
  if (url.pathname === '/__consent') {
    const { authorizationUrl, person } = (await request.json()) as {
      authorizationUrl: string
      person: Person
    }
    return Response.json({ callback: provider.consent(authorizationUrl, person).href })
  }
  if (url.pathname === '/__bend') {
    provider.bend = ((await request.json()) as { bend: Bend }).bend
    return new Response('ok')
  }
  // A Request of this module's own fetch implementation (miniflare hands in another one's).
  const body =
    request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text()
  return provider.fetch(request.url, { method: request.method, headers: request.headers, body })
}

export async function fakeMailProvider(request: Request): Promise<Response> {
  const url = new URL(request.url)
  if (url.hostname.endsWith('.cloudflareaccess.com')) return fakeAccessTeam(request, url)
  if (url.hostname.endsWith('.siteverify.test')) return fakeSiteverify(request, url)
  if (url.hostname.endsWith('.franceconnect.test')) return fakeFranceConnect(request, url)
  if (!url.hostname.endsWith('.mail-api.test')) {
    return new Response('tests have no network', { status: 599 })
  }
  const box = mailbox(url.hostname)
  switch (url.pathname) {
    case '/__received':
      return Response.json(box.received)
    case '/__reset':
      mailboxes.delete(url.hostname)
      return new Response('ok')
    case '/__script': {
      const { replies, fallback } = (await request.json()) as { replies: Reply[]; fallback?: Reply }
      box.script = replies
      if (fallback !== undefined) box.fallback = fallback
      return new Response('ok')
    }
  }
  const reply = box.script.shift() ?? box.fallback
  box.received.push({
    url: request.url,
    method: request.method,
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
    reply,
  })
  if (reply === 'hang') return new Promise<Response>(() => {})
  if (reply === 'late') {
    await new Promise((wait) => setTimeout(wait, 1_500))
    return Response.json({ messageId: `<${box.received.length}@fake>` }, { status: 201 })
  }
  // A redirect points at another fake host, which records whatever follows it (the API key must not).
  const headers: Record<string, string> =
    reply >= 300 && reply < 400 ? { location: `https://elsewhere-${url.hostname}/stolen` } : {}
  return Response.json(
    reply < 300 ? { messageId: `<${box.received.length}@fake>` } : { code: 'error' },
    { status: reply, headers },
  )
}
