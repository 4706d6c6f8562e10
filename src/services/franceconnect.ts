import * as oauth from 'oauth4webapi'

// FranceConnect v2 as an OpenID Connect client (docs/franceconnect.md), with oauth4webapi: the
// authorization code flow, the ID token and the signed userinfo checked, nothing else believed. No
// database and no Hono here: the flows decide what an identity opens.

/** What the portal needs of FranceConnect: its settings and the two addresses declared to it. */
export type FranceConnectClient = {
  issuer: string
  clientId: string
  clientSecret: string
  // PUBLIC_URL + /franceconnect/retour and PUBLIC_URL + /connexion, never the request's.
  redirectUri: string
  postLogoutRedirectUri: string
  // Tests and a provider on this machine; production uses the platform's fetch over TLS.
  fetch?: typeof fetch
}

// The smallest scope the linking needs (docs/franceconnect.md, "Scope"): the pseudonymous `sub`
// (openid), the names shown to the family, and the e-mail FranceConnect requires with them.
export const SCOPE = 'openid given_name family_name email'
// eIDAS "low": what FranceConnect's identity providers give; a higher level is accepted too.
const ACR_REQUESTED = 'eidas1'
const ACR_ACCEPTED = new Set(['eidas1', 'eidas2', 'eidas3'])
// FranceConnect v2 signs with ES256 (RS256 also allowed); never `none` or a shared-secret HMAC.
const SIGNING = ['ES256', 'RS256']

/** The identity FranceConnect vouched for: only what the portal keeps and shows. */
export type FranceConnectIdentity = {
  sub: string
  givenName: string
  familyName: string
  // Kept in the browser only, for the end-session request's `id_token_hint`.
  idToken: string
}

export type FranceConnectOutcome =
  | { ok: true; identity: FranceConnectIdentity }
  // The person cancelled at FranceConnect (`error=access_denied`).
  | { ok: false; reason: 'cancelled' }
  // Anything else: a provider error, a forged or replayed answer, a token that does not hold.
  | { ok: false; reason: 'refused'; detail: string }

const DISCOVERY_TTL_MS = 3_600_000
let discovered: { key: string; server: oauth.AuthorizationServer; at: number } | null = null

function requestOptions(client: FranceConnectClient) {
  const local = /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(`${client.issuer}/`)
  return {
    ...(client.fetch ? { [oauth.customFetch]: client.fetch } : {}),
    ...(local ? { [oauth.allowInsecureRequests]: true } : {}),
    signal: AbortSignal.timeout(10_000),
  }
}

const oauthClient = (client: FranceConnectClient): oauth.Client => ({
  client_id: client.clientId,
  // oauth4webapi compares the header's alg with these (an array is accepted): ES256 or RS256 only.
  id_token_signed_response_alg: SIGNING as unknown as string,
  userinfo_signed_response_alg: SIGNING as unknown as string,
})

/** The provider's metadata (OpenID Connect Discovery), fetched at most once an hour per isolate. */
export async function franceConnectServer(
  client: FranceConnectClient,
  now = Date.now(),
): Promise<oauth.AuthorizationServer> {
  const key = `${client.issuer}|${client.clientId}`
  if (discovered && discovered.key === key && now - discovered.at < DISCOVERY_TTL_MS) {
    return discovered.server
  }
  const issuer = new URL(client.issuer)
  const response = await oauth.discoveryRequest(issuer, {
    ...requestOptions(client),
    algorithm: 'oidc',
  })
  const server = await oauth.processDiscoveryResponse(issuer, response)
  discovered = { key, server, at: now }
  return server
}

/** A new `state` and `nonce` (32 random bytes each, base64url), to bind to the browser. */
export const newAuthorizationSecrets = () => ({
  state: oauth.generateRandomState(),
  nonce: oauth.generateRandomNonce(),
})

/** Where « S'identifier avec FranceConnect » sends the browser. */
export async function authorizationUrl(
  client: FranceConnectClient,
  secrets: { state: string; nonce: string },
): Promise<string> {
  const server = await franceConnectServer(client)
  const url = new URL(server.authorization_endpoint!)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: SCOPE,
    acr_values: ACR_REQUESTED,
    state: secrets.state,
    nonce: secrets.nonce,
    prompt: 'login consent',
  }).toString()
  return url.href
}

/**
 * The callback (`/franceconnect/retour`): checks the state the browser held, exchanges the code, checks
 * the ID token (its signature by the provider's keys, ES256 or RS256 only, `iss`, `aud`, `exp`, the
 * nonce, `acr`) and the userinfo answer, which must be a JWT signed the same way for the same `sub`.
 */
export async function identityFromCallback(
  client: FranceConnectClient,
  callback: URL,
  expected: { state: string; nonce: string },
): Promise<FranceConnectOutcome> {
  if (callback.searchParams.get('error') === 'access_denied')
    return { ok: false, reason: 'cancelled' }
  try {
    const server = await franceConnectServer(client)
    const oidc = oauthClient(client)
    const options = requestOptions(client)
    const parameters = oauth.validateAuthResponse(server, oidc, callback, expected.state)
    const tokenResponse = await oauth.authorizationCodeGrantRequest(
      server,
      oidc,
      oauth.ClientSecretPost(client.clientSecret),
      parameters,
      client.redirectUri,
      oauth.nopkce,
      options,
    )
    const tokens = await oauth.processAuthorizationCodeResponse(server, oidc, tokenResponse, {
      expectedNonce: expected.nonce,
      requireIdToken: true,
    })
    await oauth.validateApplicationLevelSignature(server, tokenResponse, options)
    const claims = oauth.getValidatedIdTokenClaims(tokens)!
    if (typeof claims.acr !== 'string' || !ACR_ACCEPTED.has(claims.acr)) {
      return { ok: false, reason: 'refused', detail: `acr ${String(claims.acr)}` }
    }
    const userInfoResponse = await oauth.userInfoRequest(server, oidc, tokens.access_token, options)
    const userInfo = await oauth.processUserInfoResponse(server, oidc, claims.sub, userInfoResponse)
    await oauth.validateApplicationLevelSignature(server, userInfoResponse, options)
    const givenName = nameOf(userInfo.given_name)
    const familyName = nameOf(userInfo.family_name)
    if (!givenName || !familyName) return { ok: false, reason: 'refused', detail: 'no names' }
    return {
      ok: true,
      identity: { sub: claims.sub, givenName, familyName, idToken: tokens.id_token! },
    }
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError && error.error === 'access_denied') {
      return { ok: false, reason: 'cancelled' }
    }
    return { ok: false, reason: 'refused', detail: describe(error) }
  }
}

const nameOf = (value: unknown) =>
  typeof value === 'string'
    ? value
        .replace(/[\p{Cc}\p{Cf}]/gu, '')
        .trim()
        .slice(0, 100)
    : ''

// For the log line only: the kind of failure, never a token.
function describe(error: unknown): string {
  if (error instanceof oauth.AuthorizationResponseError) return `provider error ${error.error}`
  if (error instanceof oauth.ResponseBodyError) return `provider answered ${error.error}`
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200)
  return 'unknown error'
}

/** FranceConnect's end-session address for a sign-out (`id_token_hint`, `state`, the declared return). */
export async function endSessionUrl(
  client: FranceConnectClient,
  input: { idToken: string; state: string },
): Promise<string | null> {
  const server = await franceConnectServer(client)
  if (!server.end_session_endpoint) return null
  const url = new URL(server.end_session_endpoint)
  url.search = new URLSearchParams({
    id_token_hint: input.idToken,
    state: input.state,
    post_logout_redirect_uri: client.postLogoutRedirectUri,
  }).toString()
  return url.href
}
