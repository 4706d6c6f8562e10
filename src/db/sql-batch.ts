import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import type { SQL } from 'drizzle-orm'
import type { Db } from './client'

// drizzle 0.45's `db.batch` cannot run a raw `sql` query that has parameters (`db.run(sql…)` in a batch
// throws "Cannot read properties of undefined (reading 'bind')": SQLiteRaw has no prepared statement).
// Statements that only raw SQL can say (UPDATE … FROM, INSERT … SELECT) go through this instead: the
// same rendering as drizzle's, bound and batched on the app's D1 binding (its limits guarded alike).
const dialect = new SQLiteAsyncDialect()

/** Runs `statements` in one D1 batch: atomic, all of them or none. */
export function runSqlBatch(db: Db, statements: SQL[]): Promise<D1Result[]> {
  const d1 = db.$client
  return d1.batch(
    statements.map((statement) => {
      const { sql, params } = dialect.sqlToQuery(statement)
      return d1.prepare(sql).bind(...params)
    }),
  )
}
