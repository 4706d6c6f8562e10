// Logs carry what went wrong, never a secret (ASVS 5.0 V16.2.5). drizzle puts a failed query's
// parameters in its error message, and those may hold a mail body with a temporary password: they
// are cut off, and anything shaped like a token or a temporary password is masked.
export function safeErrorReason(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error'
  const message = error.message.split(/params:/i)[0]!.replace(/[0-9a-f]{32,}/gi, '[redacted]')
  return `${error.name}: ${message.trim()}`.slice(0, 300)
}

export function logJson(
  level: 'info' | 'warn' | 'error',
  event: string,
  fields: Record<string, unknown> = {},
) {
  const line = JSON.stringify({ level, event, ...fields })
  if (level === 'error') console.error(line)
  else console.log(line)
}
