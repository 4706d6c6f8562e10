// A real OpenID provider for the browser tests, configured like FranceConnect v2 (docs/franceconnect.md):
// oidc-provider (the certified Node implementation), ES256 keys, a signed userinfo, acr eidas1, the
// authorization code flow with client_secret_post, RP-initiated logout. Its login page lists test
// people (as FranceConnect's test identity providers do); consent is granted for what was asked.
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import Provider from 'oidc-provider'

export type TestPerson = { sub: string; given_name: string; family_name: string; email: string }

export const PEOPLE: TestPerson[] = [
  {
    sub: 'fc-angela',
    given_name: 'Angela Claire Louise',
    family_name: 'DUBOIS',
    email: 'angela@example.org',
  },
  { sub: 'fc-bruno', given_name: 'Bruno', family_name: 'MARTIN', email: 'bruno@example.org' },
]

export const CLIENT = { id: 'acces-famille-e2e', secret: 'secret-e2e-0123456789abcdef' }

const readBody = (req: IncomingMessage) =>
  new Promise<URLSearchParams>((done) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => done(new URLSearchParams(body)))
  })

const page = (res: ServerResponse, html: string) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end(
    `<!DOCTYPE html><html lang="fr"><head><title>FranceConnect (test)</title></head><body>${html}</body></html>`,
  )
}

/** Starts the provider on `port` (its issuer http://localhost:port) for the app at `appBaseUrl`. */
export async function startFranceConnectProvider(port: number, appBaseUrl: string) {
  const issuer = `http://localhost:${port}`
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'fc-e2e', alg: 'ES256', use: 'sig' }
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: [`${appBaseUrl}/franceconnect/retour`],
        post_logout_redirect_uris: [`${appBaseUrl}/connexion`],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
        userinfo_signed_response_alg: 'ES256',
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [jwk as never] },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    acrValues: ['eidas1'],
    scopes: ['openid', 'given_name', 'family_name', 'email'],
    claims: {
      openid: ['sub'],
      given_name: ['given_name'],
      family_name: ['family_name'],
      email: ['email'],
    },
    pkce: { required: () => false },
    cookies: { keys: ['e2e-cookie-key'] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const person = PEOPLE.find((candidate) => candidate.sub === sub)
      if (!person) return undefined
      return { accountId: sub, claims: async () => ({ ...person }) }
    },
  })
  const handle = provider.callback()
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer)
    if (!url.pathname.startsWith('/interaction/')) return handle(req, res)
    const details = await provider.interactionDetails(req, res)
    if (details.prompt.name === 'login') {
      if (req.method === 'POST') {
        const sub = (await readBody(req)).get('sub')!
        return provider.interactionFinished(
          req,
          res,
          { login: { accountId: sub, acr: 'eidas1' } },
          { mergeWithLastSubmission: false },
        )
      }
      return page(
        res,
        `<h1>Identité de test</h1><form method="post">${PEOPLE.map(
          (person) =>
            `<button type="submit" name="sub" value="${person.sub}">${person.given_name} ${person.family_name}</button>`,
        ).join('')}</form>`,
      )
    }
    // Consent: what the portal asked for, granted.
    const grant = new provider.Grant({
      accountId: details.session!.accountId,
      clientId: details.params.client_id as string,
    })
    grant.addOIDCScope(String(details.params.scope))
    const grantId = await grant.save()
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    )
  })
  await new Promise<void>((done) => server.listen(port, done))
  return {
    issuer,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  }
}
