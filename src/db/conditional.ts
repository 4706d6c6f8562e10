import { getTableColumns, is, SQL, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'

// A D1 batch is one transaction, but a statement cannot read the result of the one before it. A batch
// whose first statement decides (a conditional UPDATE, an insert that may not happen) therefore fences
// every later statement with a condition on the state that first statement leaves: if it changed
// nothing, nothing else changes either (docs/stack-facts.md: `db.transaction()` fails on D1).

/**
 * `insert into table select …values… where condition`: a row inserted only when `condition` holds, as
 * a statement for a db.batch. Columns left out take their defaults, as with `db.insert().values()`.
 */
export function insertWhereStatement<T extends SQLiteTable>(
  db: Db,
  table: T,
  values: { [K in keyof T['$inferInsert']]: T['$inferInsert'][K] | SQL },
  condition: SQL | undefined,
) {
  const given = values as Record<string, unknown>
  // drizzle's insert … select lists every insertable column in table order: give each its value.
  const row = Object.entries(getTableColumns(table))
    .filter(([, column]) => !column.generated)
    .map(([key, column]) => {
      const value = given[key]
      // A value the statement computes (a count, in the batch's own transaction).
      if (is(value, SQL)) return value
      if (value !== undefined) return sql.param(value, column)
      if (column.default === undefined) return sql`null`
      return is(column.default, SQL) ? column.default : sql.param(column.default, column)
    })
  return db.insert(table).select(sql`select ${sql.join(row, sql`, `)} where ${condition ?? sql`1`}`)
}
