import { scryptSync } from 'node:crypto'
import { scrypt } from '@noble/hashes/scrypt.js'
import { scryptYielding } from '../src/services/scrypt'

// GET /?impl=noble|yielding|node|none&count=K&logN=&r=&p= computes K hashes and answers when done. Time
// does not advance inside a Worker while it computes, so the caller times the round trip and
// subtracts the `none` baseline.
export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const count = Number(url.searchParams.get('count') ?? '1')
    const N = 2 ** Number(url.searchParams.get('logN') ?? '14')
    const r = Number(url.searchParams.get('r') ?? '8')
    const p = Number(url.searchParams.get('p') ?? '5')
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const password = new TextEncoder().encode('Jardin-2026')
    let last: Uint8Array = new Uint8Array(0)
    for (let i = 0; i < count; i++) {
      if (url.searchParams.get('impl') === 'noble')
        last = scrypt(password, salt, { N, r, p, dkLen: 32 })
      // The app's: noble's core, yielding to the event loop between slices (src/services/scrypt.ts).
      if (url.searchParams.get('impl') === 'yielding')
        last = await scryptYielding(password, salt, { N, r, p, dkLen: 32 })
      if (url.searchParams.get('impl') === 'node') {
        last = scryptSync(password, salt, 32, { N, r, p, maxmem: 256 * N * r })
      }
    }
    return new Response(String(last.length))
  },
}
