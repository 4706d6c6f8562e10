// scripts/data/common-passwords.txt as a Golomb-coded set (about 8 KB instead of 47 KB;
// docs/recovery-flow.md, step 5): the set itself as a static asset, public/assets/common-passwords-
// <digest>.bin, which the Worker fetches once per isolate through its ASSETS binding (data, not code:
// 8 KiB gzip less in the Worker's upload), and src/data/common-passwords.gen.ts with its parameters,
// its path and its SHA-256 (the Worker refuses any other bytes). Run by every npm entry point
// (`npm run assets`, after scripts/build-assets.mjs empties public/assets); not committed.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { buildGolombCodedSet } from '../src/services/golomb-coded-set'

// False positives at 2^-11, 1 in 2 048: half the rate docs/recovery-flow.md promises (1 in 1 000), so
// that a corpus measured against the promise passes whatever the list holds
// (test/security/password-policy.test.ts).
const LOW_BITS = 11

// The lines are already the form the check looks up (NFKC, lowercase):
// scripts/build-common-passwords.mjs writes them so, and the test checks every one is refused.
const passwords = readFileSync('scripts/data/common-passwords.txt', 'utf8')
  .split('\n')
  .filter(Boolean)
const { range, count, lowBits, bytes } = buildGolombCodedSet(passwords, LOW_BITS)

const sha256 = createHash('sha256').update(bytes).digest('hex')
const path = `/assets/common-passwords-${sha256.slice(0, 10)}.bin`
mkdirSync('public/assets', { recursive: true })
writeFileSync(`public${path}`, bytes)
mkdirSync('src/data', { recursive: true })
writeFileSync(
  'src/data/common-passwords.gen.ts',
  `// Written by scripts/build-common-passwords-filter.ts from scripts/data/common-passwords.txt: do not edit.
// ${passwords.length} passwords in ${bytes.length} bytes, false positives at 1 in ${2 ** lowBits}.
export const COMMON_PASSWORDS = {
  range: ${range},
  count: ${count},
  lowBits: ${lowBits},
  path: '${path}',
  byteLength: ${bytes.length},
  sha256: '${sha256}',
}
`,
)
console.log(`common passwords: ${passwords.length} in ${bytes.length} bytes, ${path}`)
