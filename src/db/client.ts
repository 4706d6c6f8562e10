import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { withD1Limits, type Invocation } from './d1-limits'
import * as schema from './schema'

/**
 * The app's database on a D1 binding, refusing what production's D1 refuses (db/d1-limits.ts): the
 * queries of one request or cron run count as `one` invocation.
 */
export function createDb(d1: D1Database, invocation: Invocation = 'one') {
  return drizzle(withD1Limits(d1, invocation), { schema })
}

export type Db = ReturnType<typeof createDb>

/** Resolves when the database answers at all (for uptime checks), rejects otherwise. */
export async function databaseAnswers(db: Db): Promise<void> {
  await db.run(sql`select 1`)
}
