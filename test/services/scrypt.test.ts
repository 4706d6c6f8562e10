import { scrypt } from '@noble/hashes/scrypt.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { scryptYielding } from '../../src/services/scrypt'

// The yielding scrypt runs noble's core in our own loop: it must give noble's answer, bit for bit.
describe('scryptYielding', () => {
  it('matches the RFC 7914 §12 test vectors', async () => {
    const vectors = [
      {
        password: 'password',
        salt: 'NaCl',
        cost: { N: 1024, r: 8, p: 16, dkLen: 64 },
        hex: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
      },
      {
        password: 'pleaseletmein',
        salt: 'SodiumChloride',
        cost: { N: 16384, r: 8, p: 1, dkLen: 64 },
        hex: '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
      },
    ]
    for (const { password, salt, cost, hex } of vectors) {
      const key = await scryptYielding(utf8ToBytes(password), utf8ToBytes(salt), cost)
      expect(bytesToHex(key)).toBe(hex)
    }
  })

  it("gives noble's scrypt output for the app's settings and odd ones", async () => {
    const costs = [
      { N: 2 ** 10, r: 8, p: 1, dkLen: 32 },
      { N: 2 ** 12, r: 8, p: 5, dkLen: 32 },
      { N: 2 ** 11, r: 3, p: 2, dkLen: 17 },
    ]
    for (const cost of costs) {
      const password = crypto.getRandomValues(new Uint8Array(23))
      const salt = crypto.getRandomValues(new Uint8Array(16))
      expect(bytesToHex(await scryptYielding(password, salt, cost))).toBe(
        bytesToHex(scrypt(password, salt, cost)),
      )
    }
  })

  // How many times a timer set beside the hash ran before the hash ended: the hash's yields.
  async function ticksDuring(crowded: boolean) {
    let ticks = 0
    let hashing = true
    const tick = () => {
      if (!hashing) return
      ticks++
      setTimeout(tick, 0)
    }
    setTimeout(tick, 0)
    const cost = { N: 2 ** 14, r: 8, p: 2, dkLen: 32 }
    await scryptYielding(utf8ToBytes('pw'), utf8ToBytes('salt'), cost, () => crowded)
    hashing = false
    return ticks
  }

  it('lets other work run while it hashes', async () => {
    // 2 × 2 × 2^14 BlockMix in slices of 8192: the timer ran between the slices.
    expect(await ticksDuring(false)).toBeGreaterThanOrEqual(4)
  })

  it('lets other work run four times as often in a crowd of hashes', async () => {
    // Slices of 2048: a page waits a quarter as long behind each running hash.
    expect(await ticksDuring(true)).toBeGreaterThanOrEqual(16)
  })
})
