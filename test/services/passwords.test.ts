import { scrypt } from '@noble/hashes/scrypt.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { scryptComputations, verifyPassword } from '../../src/services/passwords'
import { TEST_SCRYPT } from '../support/helpers'

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const SALT = b64(new Uint8Array(16).fill(7))
const KEY = b64(new Uint8Array(32).fill(9))

/** One check, and how many scrypt computations it cost. */
async function check(password: string, stored: string) {
  const before = scryptComputations()
  const result = await verifyPassword(password, stored, TEST_SCRYPT)
  return { ...result, hashes: scryptComputations() - before }
}

describe('verifyPassword and a stored hash it cannot afford', () => {
  it('never matches a hash that needs more than 32 MiB, even with the right password', async () => {
    // A genuine hash at N=2^16, r=8: 64 MiB, twice what one hash may take in a shared isolate.
    const salt = new Uint8Array(16).fill(3)
    const key = scrypt(utf8ToBytes('Soleil2026'), salt, { N: 2 ** 16, r: 8, p: 1, dkLen: 32 })
    const stored = ['scrypt', 16, 8, 1, b64(salt), b64(key)].join('$')
    expect(await check('Soleil2026', stored)).toEqual({
      matches: false,
      needsRehash: false,
      hashes: 1,
    })
  }, 30_000)

  it.each([
    ['1 GiB (N=2^20, r=8)', `scrypt$20$8$1$${SALT}$${KEY}`],
    ['4 GiB (N=2^20, r=32)', `scrypt$20$32$1$${SALT}$${KEY}`],
    ['2^40 blocks', `scrypt$40$8$1$${SALT}$${KEY}`],
    ['a huge p', `scrypt$10$8$100000000$${SALT}$${KEY}`],
  ])('refuses %s at the cost of one ordinary hash, without allocating it', async (_, stored) => {
    expect(await check('Soleil2026', stored)).toEqual({
      matches: false,
      needsRehash: false,
      hashes: 1,
    })
  })

  it.each([
    `scrypt$abc$8$1$${SALT}$${KEY}`,
    `scrypt$10.5$8$1$${SALT}$${KEY}`,
    `scrypt$-3$8$1$${SALT}$${KEY}`,
    `scrypt$10$0$1$${SALT}$${KEY}`,
    `scrypt$10$8$0$${SALT}$${KEY}`,
    `scrypt$10$8$1$%%%not-base64%%%$${KEY}`,
    `scrypt$10$8$1$${SALT}$***`,
    'scrypt$10$8$1',
    'bcrypt$2b$12$abcdefghijklmnopqrstuv',
  ])('never crashes on the unreadable stored hash %s, and never matches it', async (stored) => {
    expect(await check('Soleil2026', stored)).toEqual({
      matches: false,
      needsRehash: false,
      hashes: 1,
    })
  })
})
