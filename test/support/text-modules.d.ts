// Files the test pool loads as Text modules (wrangler's default rule for *.txt): imported as one string.
// The Worker imports none; the tests read scripts/data/common-passwords.txt so.
declare module '*.txt' {
  const content: string
  export default content
}
