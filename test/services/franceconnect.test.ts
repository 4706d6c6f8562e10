import { describe, expect, it } from 'vitest'
import {
  authorizationUrl,
  endSessionUrl,
  identityFromCallback,
  newAuthorizationSecrets,
} from '../../src/services/franceconnect'
import { ADULT, FakeFranceConnect, type Bend } from '../support/franceconnect-provider'

// What the portal believes of FranceConnect (docs/franceconnect.md): only an answer that holds on every
// check. Each test bends one thing a forger or a broken provider could.

async function walk(bend: Bend = {}, tamper: (callback: URL) => URL = (url) => url) {
  const provider = await FakeFranceConnect.make()
  provider.bend = bend
  const client = provider.client()
  const secrets = newAuthorizationSecrets()
  const callback = tamper(provider.consent(await authorizationUrl(client, secrets), ADULT))
  return {
    provider,
    client,
    secrets,
    callback,
    outcome: await identityFromCallback(client, callback, secrets),
  }
}

const refused = { ok: false, reason: 'refused', detail: expect.any(String) }

describe('the authorization request', () => {
  it('asks for the code flow, eidas1, the smallest scope, with a fresh state and nonce', async () => {
    const provider = await FakeFranceConnect.make()
    const secrets = newAuthorizationSecrets()
    const url = new URL(await authorizationUrl(provider.client(), secrets))
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/authorize`)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: 'https://famille.example/franceconnect/retour',
      scope: 'openid given_name family_name email',
      acr_values: 'eidas1',
      state: secrets.state,
      nonce: secrets.nonce,
      prompt: 'login consent',
    })
    expect(secrets.state.length).toBeGreaterThanOrEqual(32)
    expect(secrets.nonce.length).toBeGreaterThanOrEqual(32)
    expect(newAuthorizationSecrets().state).not.toBe(secrets.state)
  })
})

describe('the callback', () => {
  it('gives the identity when every check holds: the sub, the names, the ID token for sign-out', async () => {
    const { outcome } = await walk()
    expect(outcome).toEqual({
      ok: true,
      identity: {
        sub: ADULT.sub,
        givenName: 'Angela Claire Louise',
        familyName: 'DUBOIS',
        idToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      },
    })
  })

  it('refuses a forged state, and a code used twice', async () => {
    const forged = await walk({}, (url) => {
      url.searchParams.set('state', 'x'.repeat(43))
      return url
    })
    expect(forged.outcome).toEqual(refused)
    const { client, secrets, callback } = await walk()
    expect(await identityFromCallback(client, callback, secrets)).toEqual(refused)
  })

  it.each<[string, Bend, RegExp]>([
    ['a wrong nonce', { idToken: { nonce: 'n'.repeat(43) } }, /"nonce"/],
    ['a wrong issuer', { idToken: { iss: 'https://faux-franceconnect.example/api/v2' } }, /"iss"/],
    ['another audience', { idToken: { aud: 'un-autre-service' } }, /"aud"/],
    ['an expired token', { idToken: { exp: Math.floor(Date.now() / 1000) - 3600 } }, /"exp"/],
    ['alg none', { idTokenSigning: 'none' }, /"alg"/],
    ['HS256 with the client secret', { idTokenSigning: 'HS256' }, /"alg"/],
    ["a key that is not the provider's", { idTokenSigning: 'stranger' }, /signature/i],
    ['an acr below eidas1', { idToken: { acr: 'basic' } }, /^acr basic$/],
    ['an unsigned userinfo', { userInfoUnsigned: true }, /JWT UserInfo Response expected/],
    [
      "a userinfo signed by a key that is not the provider's",
      { userInfoSigning: 'stranger' },
      /signature/i,
    ],
    ['a userinfo for another person', { userInfoSub: 'quelqu-un-d-autre' }, /"sub"/],
  ])('refuses %s', async (_, bend, reason) => {
    expect((await walk(bend)).outcome).toEqual({
      ok: false,
      reason: 'refused',
      detail: expect.stringMatching(reason),
    })
  })

  it('tells a cancellation (access_denied) from a provider error', async () => {
    const provider = await FakeFranceConnect.make()
    const secrets = newAuthorizationSecrets()
    const back = (error: string) =>
      new URL(`https://famille.example/franceconnect/retour?error=${error}&state=${secrets.state}`)
    expect(await identityFromCallback(provider.client(), back('access_denied'), secrets)).toEqual({
      ok: false,
      reason: 'cancelled',
    })
    expect(await identityFromCallback(provider.client(), back('server_error'), secrets)).toEqual(
      refused,
    )
  })
})

describe('the end-session request', () => {
  it('carries the ID token hint, a state and the declared return address', async () => {
    const provider = await FakeFranceConnect.make()
    const url = new URL(
      (await endSessionUrl(provider.client(), { idToken: 'a.b.c', state: 's'.repeat(43) }))!,
    )
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/session/end`)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_hint: 'a.b.c',
      state: 's'.repeat(43),
      post_logout_redirect_uri: 'https://famille.example/connexion',
    })
  })
})
