// A FranceConnect v2 stand-in inside workerd, for the checks the portal makes on what it receives:
// discovery, JWKS, the token endpoint (client_secret_post) and a signed userinfo, as a fetch function
// the client is given. Each answer can be bent to play a forger or a broken provider. The real
// provider for the browser walk is oidc-provider in the node project.
import { encodeBase64url } from '../../src/services/webauthn'

const text = new TextEncoder()
const b64 = (value: unknown) =>
  encodeBase64url(text.encode(typeof value === 'string' ? value : JSON.stringify(value)))

export type Person = { sub: string; given_name: string; family_name: string; email: string }

export type Bend = {
  // Claims of the ID token replaced or added (iss, aud, exp, nonce, acr…).
  idToken?: Record<string, unknown>
  // How the ID token is signed: its own key, `none`, HS256 with the client secret, or a stranger's key.
  idTokenSigning?: 'ES256' | 'none' | 'HS256' | 'stranger'
  // The userinfo answered as plain JSON rather than a signed JWT, signed by a stranger's key, or for
  // another `sub`.
  userInfoUnsigned?: boolean
  userInfoSigning?: 'ES256' | 'stranger'
  userInfoSub?: string
}

export class FakeFranceConnect {
  readonly clientId = 'client-de-test'
  readonly clientSecret = 'secret-de-test-0123456789'
  readonly kid = 'cle-1'
  bend: Bend = {}
  private readonly codes = new Map<string, { nonce: string; person: Person; used: boolean }>()
  private readonly tokens = new Map<string, Person>()

  private constructor(
    readonly issuer: string,
    private readonly keys: CryptoKeyPair,
    private readonly stranger: CryptoKeyPair,
  ) {}

  static async make(
    issuer = `https://fc-${crypto.randomUUID().slice(0, 8)}.example/api/v2`,
  ): Promise<FakeFranceConnect> {
    const make = () =>
      crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
        'verify',
      ]) as Promise<CryptoKeyPair>
    return new FakeFranceConnect(issuer, await make(), await make())
  }

  /** The settings the portal would be configured with for this provider. */
  client(redirectUri = 'https://famille.example/franceconnect/retour') {
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      redirectUri,
      postLogoutRedirectUri: 'https://famille.example/connexion',
      fetch: this.fetch,
    }
  }

  /** The person signs in at FranceConnect and consents: the callback URL the browser comes back to. */
  consent(authorizationUrl: string, person: Person): URL {
    const asked = new URL(authorizationUrl)
    const code = crypto.randomUUID()
    this.codes.set(code, { nonce: asked.searchParams.get('nonce')!, person, used: false })
    const back = new URL(asked.searchParams.get('redirect_uri')!)
    back.search = new URLSearchParams({
      code,
      state: asked.searchParams.get('state')!,
      iss: this.issuer,
    }).toString()
    return back
  }

  private async jwt(payload: Record<string, unknown>, signing: Bend['idTokenSigning'] = 'ES256') {
    if (signing === 'none') return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`
    if (signing === 'HS256') {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: this.kid })}.${b64(payload)}`
      const key = await crypto.subtle.importKey(
        'raw',
        text.encode(this.clientSecret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      const mac = await crypto.subtle.sign('HMAC', key, text.encode(input))
      return `${input}.${encodeBase64url(new Uint8Array(mac))}`
    }
    const input = `${b64({ alg: 'ES256', typ: 'JWT', kid: this.kid })}.${b64(payload)}`
    const key = signing === 'stranger' ? this.stranger.privateKey : this.keys.privateKey
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      text.encode(input),
    )
    return `${input}.${encodeBase64url(new Uint8Array(signature))}`
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const path = new URL(request.url).pathname.replace(new URL(this.issuer).pathname, '')
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      })
    if (path === '/.well-known/openid-configuration') {
      return json({
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        userinfo_endpoint: `${this.issuer}/userinfo`,
        jwks_uri: `${this.issuer}/jwks`,
        end_session_endpoint: `${this.issuer}/session/end`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['ES256', 'RS256'],
        userinfo_signing_alg_values_supported: ['ES256', 'RS256'],
        acr_values_supported: ['eidas1', 'eidas2', 'eidas3'],
      })
    }
    if (path === '/jwks') {
      const jwk = await crypto.subtle.exportKey('jwk', this.keys.publicKey)
      return json({ keys: [{ ...(jwk as JsonWebKey), kid: this.kid, use: 'sig', alg: 'ES256' }] })
    }
    if (path === '/token') {
      const form = new URLSearchParams(await request.text())
      const grant = this.codes.get(form.get('code') ?? '')
      if (form.get('client_secret') !== this.clientSecret)
        return json({ error: 'invalid_client' }, 401)
      if (!grant || grant.used) return json({ error: 'invalid_grant' }, 400)
      grant.used = true
      const now = Math.floor(Date.now() / 1000)
      const accessToken = crypto.randomUUID()
      this.tokens.set(accessToken, grant.person)
      const claims = {
        iss: this.issuer,
        aud: this.clientId,
        sub: grant.person.sub,
        iat: now,
        exp: now + 60,
        nonce: grant.nonce,
        acr: 'eidas1',
        ...this.bend.idToken,
      }
      return json({
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: 60,
        id_token: await this.jwt(claims, this.bend.idTokenSigning),
      })
    }
    if (path === '/userinfo') {
      const person = this.tokens.get(
        (request.headers.get('authorization') ?? '').replace(/^Bearer /, ''),
      )
      if (!person) return json({ error: 'invalid_token' }, 401)
      const claims = {
        ...person,
        sub: this.bend.userInfoSub ?? person.sub,
        iss: this.issuer,
        aud: this.clientId,
      }
      if (this.bend.userInfoUnsigned) return json(claims)
      return new Response(await this.jwt(claims, this.bend.userInfoSigning), {
        headers: { 'content-type': 'application/jwt' },
      })
    }
    return json({ error: 'not_found' }, 404)
  }
}

export const ADULT: Person = {
  sub: 'b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1',
  given_name: 'Angela Claire Louise',
  family_name: 'DUBOIS',
  email: 'angela.dubois@example.org',
}
