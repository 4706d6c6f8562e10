import { or, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { families } from '../../db/schema'

// The agents' search over the families table (docs/agents-console.md).
// D1 refuses a LIKE pattern over 50 bytes ("LIKE or GLOB pattern too complex": SQLite's
// SQLITE_LIMIT_LIKE_PATTERN_LENGTH, https://www.sqlite.org/limits.html#max_like_pattern_length).
const LIKE_MAX_BYTES = 40
const utf8Length = (text: string) => new TextEncoder().encode(text).length

/** `text` as itself inside a LIKE pattern whose ESCAPE is '\\': %, _ and \\ match literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&')

/** The longest start of `text` whose escaped form fits a LIKE pattern, cut between characters. */
function likeFragment(text: string): string {
  let fragment = ''
  for (const char of text) {
    const next = fragment + escapeLike(char)
    if (utf8Length(next) > LIKE_MAX_BYTES) break
    fragment = next
  }
  return fragment
}

const likeEscaped = (column: SQLiteColumn, pattern: string) =>
  sql`${column} like ${pattern} escape '\\'`

const containsAny = (value: string | null, texts: string[]) =>
  value !== null && texts.some((text) => value.toLowerCase().includes(text.toLowerCase()))

/**
 * Families by number (from its first digits), whole e-mail address, or part of a name or address;
 * 50 at most. A query too long for a LIKE pattern is searched by its start, then kept whole.
 */
export async function searchFamilies(db: Db, query: string) {
  const q = query.trim()
  if (/^\d+$/.test(q)) {
    return db
      .select()
      .from(families)
      .where(likeEscaped(families.familyNumber, `${likeFragment(q)}%`))
      .limit(50)
      .then((rows) => rows.filter((row) => row.familyNumber.startsWith(q)))
  }
  // A whole address through the lower(email) index; SQLite's lower() on both sides folds alike.
  if (q.includes('@')) {
    return db
      .select()
      .from(families)
      .where(sql`lower(${families.email}) = lower(${q})`)
      .orderBy(families.lastName)
      .limit(50)
  }
  // SQLite folds the case of ASCII letters only: "ZÉBULON" is searched as typed, in lower and in
  // upper case.
  const variants = [...new Set([q, q.toLowerCase(), q.toUpperCase()])]
  const patterns = variants.map((v) => `%${likeFragment(v)}%`)
  const columns = [families.lastName, families.firstName, families.email]
  const where = or(...columns.flatMap((column) => patterns.map((p) => likeEscaped(column, p))))
  const rows = await db.select().from(families).where(where).orderBy(families.lastName).limit(50)
  return rows.filter((row) =>
    [row.lastName, row.firstName, row.email].some((value) => containsAny(value, variants)),
  )
}
