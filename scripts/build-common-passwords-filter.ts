// Writes src/data/common-passwords.gen.ts: scripts/data/common-passwords.txt as a Golomb-coded set, what
// the Worker bundles instead of the list (about 8 KB instead of 47 KB; docs/recovery-flow.md, step 5).
// Run by every npm entry point (`npm run assets`); the output is not committed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { buildGolombCodedSet } from '../src/services/golomb-coded-set'

// False positives at 2^-11, 1 in 2 048: half the rate docs/recovery-flow.md promises (1 in 1 000), so
// that a corpus measured against the promise passes whatever the list holds
// (test/security/password-policy.test.ts).
const LOW_BITS = 11

// The lines are already the form isCommonPassword looks up (NFKC, lowercase):
// scripts/build-common-passwords.mjs writes them so, and the test checks every one is refused.
const passwords = readFileSync('scripts/data/common-passwords.txt', 'utf8')
  .split('\n')
  .filter(Boolean)
const { range, count, lowBits, bytes } = buildGolombCodedSet(passwords, LOW_BITS)

mkdirSync('src/data', { recursive: true })
writeFileSync(
  'src/data/common-passwords.gen.ts',
  `// Written by scripts/build-common-passwords-filter.ts from scripts/data/common-passwords.txt: do not edit.
// ${passwords.length} passwords in ${bytes.length} bytes, false positives at 1 in ${2 ** lowBits}.
export const COMMON_PASSWORDS = {
  range: ${range},
  count: ${count},
  lowBits: ${lowBits},
  bytes: '${Buffer.from(bytes).toString('base64')}',
}
`,
)
console.log(`common passwords: ${passwords.length} in ${bytes.length} bytes`)
