import { describe, expect, it } from 'vitest'
import {
  buildGolombCodedSet,
  murmur3,
  openGolombCodedSet,
} from '../../src/services/golomb-coded-set'

const utf8 = (text: string) => new TextEncoder().encode(text)

describe('a Golomb-coded set', () => {
  it('hashes with MurmurHash3 x86_32 as its reference vectors say', () => {
    expect(murmur3(utf8(''), 0)).toBe(0)
    expect(murmur3(utf8(''), 1)).toBe(0x514e28b7)
    expect(murmur3(utf8('\0\0\0\0'), 0)).toBe(0x2362f9de)
    expect(murmur3(utf8('a'), 0x9747b28c)).toBe(0x7fa09ea6)
    expect(murmur3(utf8('ab'), 0x9747b28c)).toBe(0x74875592)
    expect(murmur3(utf8('abc'), 0x9747b28c)).toBe(0xc84a62dd)
    expect(murmur3(utf8('aaaa'), 0x9747b28c)).toBe(0x5a97808a)
    expect(murmur3(utf8('Hello, world!'), 0x9747b28c)).toBe(0x24884cba)
  })

  it('finds every key it was built from, in about k + 1.6 bits a key', () => {
    const keys = Array.from({ length: 2000 }, (_, index) => `clé-${index}`)
    const set = buildGolombCodedSet(keys, 11)
    const has = openGolombCodedSet(set)
    expect(keys.filter((key) => !has(key))).toEqual([])
    expect((set.bytes.length * 8) / keys.length).toBeCloseTo(12.6, 0)
  })
})
