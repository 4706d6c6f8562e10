import { sign } from 'hono/jwt'

// A Cloudflare Access team of the tests' own: a local RS256 key pair whose public half the fake certs
// endpoint serves (test/support/fake-mail-provider.ts). `token()` signs what Access would put in
// Cf-Access-Jwt-Assertion.
export class FakeAccessTeam {
  readonly teamDomain = `https://team-${crypto.randomUUID().slice(0, 8)}.cloudflareaccess.com`
  readonly audience = `aud-${crypto.randomUUID()}`
  private keys?: CryptoKeyPair
  private kid = crypto.randomUUID()

  /** Env overrides that point the app at this team. */
  env(extra: Record<string, unknown> = {}) {
    return { ACCESS_TEAM_DOMAIN: this.teamDomain, ACCESS_AUD: this.audience, ...extra }
  }

  async publish() {
    this.keys = await newKeyPair()
    const jwk = await crypto.subtle.exportKey('jwk', this.keys.publicKey)
    await fetch(`${this.teamDomain}/__keys`, {
      method: 'POST',
      body: JSON.stringify({ keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] }),
    })
    return this
  }

  /** Access rotates its signing key: a new key pair under a new `kid`. */
  async rotate() {
    this.kid = crypto.randomUUID()
    return this.publish()
  }

  /** How many times the app fetched this team's certs. */
  async certFetches(): Promise<number> {
    return (await fetch(`${this.teamDomain}/__fetches`)).json()
  }

  /** From now on the certs endpoint never answers. */
  async hang() {
    await fetch(`${this.teamDomain}/__hang`, { method: 'POST' })
  }

  /** A token as Access issues it; `claims`, `signingKey` and `kid` let a test forge a bad one. */
  async token(claims: Record<string, unknown> = {}, signingKey?: CryptoKey, kid = this.kid) {
    const now = Math.floor(Date.now() / 1000)
    const payload = {
      iss: this.teamDomain,
      aud: [this.audience],
      email: 'agent.enfance@ville-exemple.fr',
      iat: now,
      nbf: now,
      exp: now + 600,
      ...claims,
    }
    return signWithKid(payload, signingKey ?? this.keys!.privateKey, kid)
  }
}

export const newKeyPair = () =>
  crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  ) as Promise<CryptoKeyPair>

async function signWithKid(payload: Record<string, unknown>, key: CryptoKey, kid: string) {
  // hono's sign() puts the key's `kid` in the header only when given a JWK: Access tokens carry one.
  const jwk = (await crypto.subtle.exportKey('jwk', key)) as JsonWebKey
  return sign(payload, { ...jwk, kid, alg: 'RS256' } as never, 'RS256')
}
