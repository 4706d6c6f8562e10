// What production's D1 refuses, refused here first: a local D1 (miniflare, `wrangler dev`, the tests,
// the ops commands on a local database) has none of these limits, so code that passes every test
// could fail only once deployed. Every D1 binding the app and the ops commands use goes through this
// guard, which refuses, before D1 sees it, what Cloudflare documents that D1 refuses.
// Source: Cloudflare D1 "Limits" (developers.cloudflare.com/d1/platform/limits/), read 2026-12;
// docs/limits.md, « Les limites de D1 », lists them with what the app does at its largest sizes.
export const D1_LIMITS = {
  // "Maximum number of bound parameters per query": 100.
  boundParametersPerStatement: 100,
  // "Maximum SQL statement length": 100 000 bytes (100 KB).
  sqlBytesPerStatement: 100_000,
  // "Maximum number of queries per Worker invocation": 1 000 on Workers Paid (50 on Free; the Worker
  // needs Paid anyway for its CPU time, README "A crowd at opening time"). Each statement of a batch
  // counts.
  queriesPerInvocation: 1_000,
} as const

export class D1LimitError extends Error {
  override name = 'D1LimitError'
}

const figure = (value: number) => value.toLocaleString('fr-FR')

// How the queries are counted: `one` invocation for the whole life of the binding (a request, a cron
// run), or `each call` its own invocation (the ops commands, whose every call is a request of its own
// to the remote database, and test fixtures).
export type Invocation = 'one' | 'each call'

const INNER = Symbol('inner statement')
type Guarded = D1PreparedStatement & { [INNER]: D1PreparedStatement }

/** `d1`, refusing what production's D1 refuses (D1_LIMITS), with an error that names the limit. */
export function withD1Limits(d1: D1Database, invocation: Invocation = 'one'): D1Database {
  let queries = 0
  const take = (count: number) => {
    queries = invocation === 'one' ? queries + count : count
    if (queries > D1_LIMITS.queriesPerInvocation) {
      throw new D1LimitError(
        `Limite de D1 : ${figure(queries)} requêtes dans une invocation du Worker (au plus ${figure(D1_LIMITS.queriesPerInvocation)}).`,
      )
    }
  }

  const guard = (statement: D1PreparedStatement, sql: string): Guarded =>
    ({
      [INNER]: statement,
      bind(...values: unknown[]) {
        if (values.length > D1_LIMITS.boundParametersPerStatement) {
          throw new D1LimitError(
            `Limite de D1 : ${values.length} paramètres liés dans une requête (au plus ${D1_LIMITS.boundParametersPerStatement}) : ${sql.slice(0, 80)}…`,
          )
        }
        return guard(statement.bind(...values), sql)
      },
      first: (column?: string) => (take(1), statement.first(column as string)),
      run: () => (take(1), statement.run()),
      all: () => (take(1), statement.all()),
      raw: (options?: { columnNames?: boolean }) => (
        take(1),
        statement.raw(options as { columnNames: true })
      ),
    }) as unknown as Guarded

  const prepare = (prepareOn: (sql: string) => D1PreparedStatement) => (sql: string) => {
    // A UTF-16 unit is at most 3 bytes of UTF-8: most statements need no encoding to be counted.
    const bytes =
      sql.length * 3 <= D1_LIMITS.sqlBytesPerStatement ? 0 : new TextEncoder().encode(sql).length
    if (bytes > D1_LIMITS.sqlBytesPerStatement) {
      throw new D1LimitError(
        `Limite de D1 : une requête de ${figure(bytes)} octets (au plus ${figure(D1_LIMITS.sqlBytesPerStatement)}).`,
      )
    }
    return guard(prepareOn(sql), sql)
  }
  const batch =
    (batchOn: <T>(statements: D1PreparedStatement[]) => Promise<D1Result<T>[]>) =>
    <T>(statements: D1PreparedStatement[]) => {
      take(statements.length)
      return batchOn<T>(statements.map((statement) => (statement as Guarded)[INNER] ?? statement))
    }

  return {
    prepare: prepare((sql) => d1.prepare(sql)),
    batch: batch((statements) => d1.batch(statements)),
    exec(sql: string) {
      take(sql.split(';').filter((statement) => statement.trim() !== '').length)
      return d1.exec(sql)
    },
    dump: () => d1.dump(),
    withSession(constraintOrBookmark?: string) {
      const session = d1.withSession(constraintOrBookmark)
      return {
        prepare: prepare((sql) => session.prepare(sql)),
        batch: batch((statements) => session.batch(statements)),
        getBookmark: () => session.getBookmark(),
      }
    },
  } as D1Database
}
