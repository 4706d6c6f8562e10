import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema })
}

export type Db = ReturnType<typeof createDb>

/** Resolves when the database answers at all (for uptime checks), rejects otherwise. */
export async function databaseAnswers(db: Db): Promise<void> {
  await db.run(sql`select 1`)
}
