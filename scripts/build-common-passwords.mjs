// Writes scripts/data/common-passwords.txt (one entry a line) from @zxcvbn-ts/language-common's ranked list of leaked
// passwords (49 233 entries: the most common first). Only the entries a family could still choose
// under the composition rules are kept (8+ characters, a digit, two letters that can take either
// case: "azerty123" stands for "Azerty123"), in lowercase: about 5 000 entries, 45 KB. The Worker
// bundles them as a Bloom filter (scripts/build-common-passwords-filter.ts, run by `npm run assets`).
// Run by hand when the list or the rules change: `node scripts/build-common-passwords.mjs`.
import { writeFileSync } from 'node:fs'
import passwords from '@zxcvbn-ts/language-common/dist/passwords.json.mjs'

const MIN_LENGTH = 8
const choosable = (entry) =>
  [...entry].length >= MIN_LENGTH &&
  /\p{Nd}/u.test(entry) &&
  (entry.match(/\p{L}/gu) ?? []).length >= 2

const kept = [...new Set(passwords.map((entry) => entry.toLowerCase()).filter(choosable))]
writeFileSync('scripts/data/common-passwords.txt', `${kept.join('\n')}\n`)
console.log(`common passwords: ${kept.length} of ${passwords.length}`)
