import fc from 'fast-check'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { passwordProblems } from '../../src/services/password-policy'
import {
  createFamily,
  post,
  send,
  snapshotDatabase,
  temporaryPasswordFromMail,
  Visitor,
} from '../support/helpers'

// Requirement 15: whatever is posted, the answer is a 4xx/2xx/3xx French page, never a 5xx or a stack
// trace, and bad input leaves the database exactly as it was.
const RUNS_PER_URL = 2_600
const FIELD_NAMES = [
  'identifier',
  'password',
  'new_password',
  'confirmation',
  'current_password',
  'x',
  '__proto__',
]

const value = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\r\n\t',
      '%00%ff',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '12345678901234',
      '1234567890123456',
      '１２３４５６７８９０１２３４５',
      '123456789012345x',
      '\u202e\u200b',
      '\ud800',
      'Aa1'.repeat(50),
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 80_000 }).map((size) => 'A'.repeat(size)) },
)

const fields = fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), value), { maxLength: 8 })

type Encoding = 'urlencoded' | 'multipart' | 'json' | 'text' | 'bytes' | 'broken-multipart' | 'none'
const encoding = fc.constantFrom<Encoding>(
  'urlencoded',
  'multipart',
  'json',
  'text',
  'bytes',
  'broken-multipart',
  'none',
)
const bytes = fc.uint8Array({ maxLength: 300 })

function encode(kind: Encoding, pairs: Array<[string, string]>, raw: Uint8Array) {
  switch (kind) {
    case 'urlencoded': {
      const form = new URLSearchParams()
      for (const [name, text] of pairs) form.append(name, text)
      return { body: form.toString(), type: 'application/x-www-form-urlencoded' }
    }
    case 'multipart': {
      const form = new FormData()
      for (const [name, text] of pairs) form.append(name, text)
      if (pairs.length % 2 === 1) form.append('identifier', new File([raw], 'facture.pdf'))
      return { body: form, type: undefined }
    }
    case 'json':
      return { body: JSON.stringify(Object.fromEntries(pairs)), type: 'application/json' }
    case 'text':
      return { body: pairs.map((pair) => pair.join('=')).join('\n'), type: 'text/plain' }
    case 'bytes':
      return { body: raw, type: 'application/x-www-form-urlencoded' }
    case 'broken-multipart':
      return { body: raw, type: 'multipart/form-data; boundary=----limite' }
    case 'none':
      return { body: undefined, type: 'application/x-www-form-urlencoded' }
  }
}

/** The last value of each field, as a form parser reads it, for the kinds that carry fields. */
function seenByServer(kind: Encoding, pairs: Array<[string, string]>): Record<string, string> {
  if (kind !== 'urlencoded' && kind !== 'multipart') return {}
  return Object.fromEntries(pairs)
}

/** Input that is not bad at all (a real number, an acceptable new password) is left to other tests. */
function isBad(kind: Encoding, pairs: Array<[string, string]>, familyNumber: string) {
  const seen = seenByServer(kind, pairs)
  if (/^\s*\d{15}\s*$/.test(seen.identifier ?? '')) return false
  const chosen = seen.new_password ?? ''
  const acceptable =
    chosen === (seen.confirmation ?? '') &&
    passwordProblems(chosen, { minLength: 8, familyNumber }).length === 0
  return !acceptable
}

const STACK_TRACE =
  /\bat \S+ \(|TypeError|ReferenceError|ZodError|SQLITE|D1_|Failed query|drizzle|node_modules/

describe('bad input never breaks anything', () => {
  let cookies: Record<string, string | undefined>
  let familyNumber: string
  let sessionsOpenedAt: number

  // The clock stands still at the sessions' birth: a request a minute later would rightly touch
  // `last_seen_at`, and the snapshots below must not depend on how fast this machine is.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: sessionsOpenedAt })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  beforeAll(async () => {
    sessionsOpenedAt = Date.now()
    const withPassword = await createFamily({ password: 'Soleil2026' })
    const full = new Visitor()
    await full.post('/connexion', { identifier: withPassword.familyNumber, password: 'Soleil2026' })
    const recovering = await createFamily()
    await post('/mot-de-passe-oublie', { identifier: recovering.familyNumber })
    const restricted = new Visitor()
    await restricted.post('/connexion', {
      identifier: recovering.familyNumber,
      password: await temporaryPasswordFromMail(recovering.email!),
    })
    familyNumber = recovering.familyNumber
    cookies = {
      none: undefined,
      garbage: '__Host-session=%00; other=1',
      full: full.cookie,
      restricted: restricted.cookie,
    }
  })

  for (const path of [
    '/connexion',
    '/mot-de-passe-oublie',
    '/nouveau-mot-de-passe',
    '/deconnexion',
  ]) {
    it(`POST ${path}: ${RUNS_PER_URL} generated requests, no 5xx, no trace, database untouched`, async () => {
      const before = await snapshotDatabase()
      // Signing out with a live session is a legitimate change: only the change form gets sessions.
      const sessions =
        path === '/nouveau-mot-de-passe'
          ? ['none', 'garbage', 'full', 'restricted']
          : ['none', 'garbage']
      const statuses = new Map<number, number>()
      await fc.assert(
        fc.asyncProperty(
          encoding,
          fields,
          bytes,
          fc.constantFrom(...sessions),
          async (kind, pairs, raw, session) => {
            fc.pre(isBad(kind, pairs, familyNumber))
            const { body, type } = encode(kind, pairs, raw)
            const response = await send(path, {
              method: 'POST',
              body,
              headers: type ? { 'content-type': type } : {},
              cookie: cookies[session],
            })
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
            const text = await response.text()
            expect(response.status).toBeLessThan(500)
            expect(
              [204, 303, 413, 422].includes(response.status),
              `status ${response.status}`,
            ).toBe(true)
            expect(text).not.toMatch(STACK_TRACE)
          },
        ),
        { numRuns: RUNS_PER_URL },
      )
      expect(await snapshotDatabase()).toEqual(before)
      expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(
        RUNS_PER_URL,
      )
      // The generator reaches the validation itself, not only the size limit.
      expect(statuses.get(path === '/deconnexion' ? 303 : 422) ?? 0).toBeGreaterThan(
        RUNS_PER_URL / 4,
      )
    }, 120_000)
  }
})
