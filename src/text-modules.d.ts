// Files wrangler bundles as Text modules (its default rule for *.txt): imported as one string.
declare module '*.txt' {
  const content: string
  export default content
}
