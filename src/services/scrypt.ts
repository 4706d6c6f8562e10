// scrypt (RFC 7914) that lets other requests run while it hashes. noble's own scryptAsync
// cannot yield in a Worker: its asyncLoop decides by Date.now(), which Workers freeze while code runs
// (a Spectre mitigation), so it never yields there, and with asyncTick 0 it yields at every step.
// This runs noble's scrypt core unchanged (XorAndSalsa and BlockMix below are copied from
// @noble/hashes 2.4 src/scrypt.ts, MIT, (c) 2022 Paul Miller, https://paulmillr.com) and yields to
// the event loop after a fixed count of BlockMix calls instead. Its output is tested equal to noble's
// scrypt (test/services/scrypt.test.ts).
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { clean, rotl, swap32IfBE, u32 } from '@noble/hashes/utils.js'

export type ScryptCost = { N: number; r: number; p: number; dkLen: number }

// How much to hash between two yields. A yield (setTimeout 0) waits about 1.2 ms in workerd even on an
// idle isolate, and a page that arrives meanwhile waits for the slice that runs. Alone, a hash takes
// long slices (about 14 ms at r = 8: 20 yields for N = 2^14, p = 5, within 5 % of noble's synchronous
// scrypt). In a crowd (other hashes running or waiting: `crowded`), it takes slices a quarter as long,
// so a page waits ~4 ms per running hash instead of ~14 (GET p99 during a 40-sign-in storm: 78 ms
// instead of 210, npm run bench); the yields then cost nothing, as another hash fills them.
const BLOCKMIX_PER_SLICE = 8192
const BLOCKMIX_PER_SLICE_IN_A_CROWD = 2048
const sliceLength = (crowded: () => boolean) =>
  crowded() ? BLOCKMIX_PER_SLICE_IN_A_CROWD : BLOCKMIX_PER_SLICE

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

// prettier-ignore
function XorAndSalsa(
  prev: Uint32Array,
  pi: number,
  input: Uint32Array,
  ii: number,
  out: Uint32Array,
  oi: number,
): void {
    // Based on https://cr.yp.to/salsa20.html and RFC 7914's Salsa20/8 core.
    // Xor blocks
    let y00 = prev[pi++]! ^ input[ii++]!, y01 = prev[pi++]! ^ input[ii++]!;
    let y02 = prev[pi++]! ^ input[ii++]!, y03 = prev[pi++]! ^ input[ii++]!;
    let y04 = prev[pi++]! ^ input[ii++]!, y05 = prev[pi++]! ^ input[ii++]!;
    let y06 = prev[pi++]! ^ input[ii++]!, y07 = prev[pi++]! ^ input[ii++]!;
    let y08 = prev[pi++]! ^ input[ii++]!, y09 = prev[pi++]! ^ input[ii++]!;
    let y10 = prev[pi++]! ^ input[ii++]!, y11 = prev[pi++]! ^ input[ii++]!;
    let y12 = prev[pi++]! ^ input[ii++]!, y13 = prev[pi++]! ^ input[ii++]!;
    let y14 = prev[pi++]! ^ input[ii++]!, y15 = prev[pi++]! ^ input[ii++]!;
    // Save state to temporary variables (salsa)
    let x00 = y00, x01 = y01, x02 = y02, x03 = y03, x04 = y04, x05 = y05, x06 = y06, x07 = y07, x08 = y08, x09 = y09, x10 = y10, x11 = y11, x12 = y12, x13 = y13, x14 = y14, x15 = y15;
    // Main loop (salsa)
    for (let i = 0; i < 8; i += 2) {
        x04 ^= rotl(x00 + x12 | 0, 7);
        x08 ^= rotl(x04 + x00 | 0, 9);
        x12 ^= rotl(x08 + x04 | 0, 13);
        x00 ^= rotl(x12 + x08 | 0, 18);
        x09 ^= rotl(x05 + x01 | 0, 7);
        x13 ^= rotl(x09 + x05 | 0, 9);
        x01 ^= rotl(x13 + x09 | 0, 13);
        x05 ^= rotl(x01 + x13 | 0, 18);
        x14 ^= rotl(x10 + x06 | 0, 7);
        x02 ^= rotl(x14 + x10 | 0, 9);
        x06 ^= rotl(x02 + x14 | 0, 13);
        x10 ^= rotl(x06 + x02 | 0, 18);
        x03 ^= rotl(x15 + x11 | 0, 7);
        x07 ^= rotl(x03 + x15 | 0, 9);
        x11 ^= rotl(x07 + x03 | 0, 13);
        x15 ^= rotl(x11 + x07 | 0, 18);
        x01 ^= rotl(x00 + x03 | 0, 7);
        x02 ^= rotl(x01 + x00 | 0, 9);
        x03 ^= rotl(x02 + x01 | 0, 13);
        x00 ^= rotl(x03 + x02 | 0, 18);
        x06 ^= rotl(x05 + x04 | 0, 7);
        x07 ^= rotl(x06 + x05 | 0, 9);
        x04 ^= rotl(x07 + x06 | 0, 13);
        x05 ^= rotl(x04 + x07 | 0, 18);
        x11 ^= rotl(x10 + x09 | 0, 7);
        x08 ^= rotl(x11 + x10 | 0, 9);
        x09 ^= rotl(x08 + x11 | 0, 13);
        x10 ^= rotl(x09 + x08 | 0, 18);
        x12 ^= rotl(x15 + x14 | 0, 7);
        x13 ^= rotl(x12 + x15 | 0, 9);
        x14 ^= rotl(x13 + x12 | 0, 13);
        x15 ^= rotl(x14 + x13 | 0, 18);
    }
    // Write output (salsa)
    out[oi++] = (y00 + x00) | 0;
    out[oi++] = (y01 + x01) | 0;
    out[oi++] = (y02 + x02) | 0;
    out[oi++] = (y03 + x03) | 0;
    out[oi++] = (y04 + x04) | 0;
    out[oi++] = (y05 + x05) | 0;
    out[oi++] = (y06 + x06) | 0;
    out[oi++] = (y07 + x07) | 0;
    out[oi++] = (y08 + x08) | 0;
    out[oi++] = (y09 + x09) | 0;
    out[oi++] = (y10 + x10) | 0;
    out[oi++] = (y11 + x11) | 0;
    out[oi++] = (y12 + x12) | 0;
    out[oi++] = (y13 + x13) | 0;
    out[oi++] = (y14 + x14) | 0;
    out[oi++] = (y15 + x15) | 0;
}
function BlockMix(input: Uint32Array, ii: number, out: Uint32Array, oi: number, r: number): void {
  // The block B is `r` 128-byte chunks, i.e. `2r` 16-word (64-byte) Salsa blocks.
  let head = oi + 0
  let tail = oi + 16 * r
  for (let i = 0; i < 16; i++) out[tail + i] = input[ii + (2 * r - 1) * 16 + i]! // X ← B[2r−1]
  for (let i = 0; i < r; i++, head += 16, ii += 16) {
    // RFC 7914 §4 step 3 outputs `Y[0], Y[2], ...` first, then `Y[1], Y[3], ...`;
    // `head` and `tail` lay out those even/odd halves in place.
    XorAndSalsa(out, tail, input, ii, out, head) // head[i] = Salsa(blockIn[2*i] ^ tail[i-1])
    if (i > 0) tail += 16 // First iteration overwrites tmp value in tail
    // tail[i] = Salsa(blockIn[2*i+1] ^ head[i])
    XorAndSalsa(out, head, input, (ii += 16), out, tail)
  }
}

/**
 * scrypt(password, salt) with noble's core, yielding to the event loop every few milliseconds, more
 * often while `crowded()`.
 */
export async function scryptYielding(
  password: Uint8Array,
  salt: Uint8Array,
  { N, r, p, dkLen }: ScryptCost,
  crowded: () => boolean = () => false,
): Promise<Uint8Array> {
  const blockSize32 = (128 * r) / 4
  const B = pbkdf2(sha256, password, salt, { c: 1, dkLen: 128 * r * p })
  const B32 = u32(B)
  const buffer = takeBuffer(128 * r * N)
  const V = u32(buffer)
  const tmp = u32(new Uint8Array(128 * r))
  // Awaited only at a slice's end: an await per step would cost a microtask each.
  let sinceYield = 0
  let slice = sliceLength(crowded)
  try {
    swap32IfBE(B32)
    for (let pi = 0; pi < p; pi++) {
      const Pi = blockSize32 * pi
      for (let i = 0; i < blockSize32; i++) V[i] = B32[Pi + i]!
      let pos = 0
      for (let i = 0; i < N - 1; i++) {
        BlockMix(V, pos, V, (pos += blockSize32), r)
        if (++sinceYield >= slice) {
          sinceYield = 0
          await yieldToEventLoop()
          slice = sliceLength(crowded)
        }
      }
      BlockMix(V, (N - 1) * blockSize32, B32, Pi, r)
      for (let i = 0; i < N; i++) {
        const j = (B32[Pi + blockSize32 - 16]! & (N - 1)) >>> 0
        for (let k = 0; k < blockSize32; k++) tmp[k] = B32[Pi + k]! ^ V[j * blockSize32 + k]!
        BlockMix(tmp, 0, B32, Pi, r)
        if (++sinceYield >= slice) {
          sinceYield = 0
          await yieldToEventLoop()
          slice = sliceLength(crowded)
        }
      }
    }
    swap32IfBE(B32)
    return pbkdf2(sha256, password, B, { c: 1, dkLen })
  } finally {
    clean(B, V, tmp)
    giveBack(buffer)
  }
}

// The big buffer (16 MiB at the default cost) is kept for the next hash instead of left to the
// garbage collector: the hash gate runs at most a couple at once (hash-gate.ts), so an isolate holds
// that many buffers, zeroed, rather than a crowd's worth of garbage waiting to be collected.
const KEPT_BUFFERS = 2
const kept: Uint8Array[] = []

function takeBuffer(bytes: number): Uint8Array {
  const index = kept.findIndex((buffer) => buffer.length === bytes)
  return index === -1 ? new Uint8Array(bytes) : kept.splice(index, 1)[0]!
}

function giveBack(buffer: Uint8Array) {
  if (kept.length < KEPT_BUFFERS) kept.push(buffer)
}
