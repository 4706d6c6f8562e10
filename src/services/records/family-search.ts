import { eq, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client'
import { foldName } from '../../db/fold'
import { families, type Family } from '../../db/schema'
import { FAMILY_NUMBER_LENGTH } from '../../family-number'

// The agents' search over the families table (docs/agents-console.md).
// D1 refuses a LIKE pattern over 50 bytes ("LIKE or GLOB pattern too complex": SQLite's
// SQLITE_LIMIT_LIKE_PATTERN_LENGTH, https://www.sqlite.org/limits.html#max_like_pattern_length).
const LIKE_MAX_BYTES = 40
const utf8Length = (text: string) => new TextEncoder().encode(text).length
export const SEARCH_PAGE_SIZE = 50
const LONG_QUERY_CANDIDATES = 1_000

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

/** What a query matches: a whole number, a number's start or end, a whole address, or a name. */
function matching(query: string): SQL {
  if (/^\d+$/.test(query)) {
    if (query.length === FAMILY_NUMBER_LENGTH) return eq(families.familyNumber, query)
    // The end of a number is what an agent reads off an invoice or hears on the phone.
    const digits = likeFragment(query)
    return or(
      likeEscaped(families.familyNumber, `${digits}%`),
      likeEscaped(families.familyNumber, `%${digits}`),
    )!
  }
  // A whole address through the lower(email) index; SQLite's lower() on both sides folds alike.
  if (query.includes('@')) return sql`lower(${families.email}) = lower(${query})`
  // A name without its accents or case (db/fold.ts), or part of an address as typed (LIKE ignores the
  // case of ASCII letters, which addresses are made of). Both are read from the search index, named:
  // left to itself SQLite reads the table and folds every row's name again (780 ms against 19 ms at
  // 200 000 families in miniflare).
  const folded = `%${likeFragment(foldName(query))}%`
  const typed = `%${likeFragment(query)}%`
  return sql`${families.id} in (select id from families indexed by families_search_idx
    where name_key like ${folded} escape '\\' or email like ${typed} escape '\\')`
}

export type FamilySearch = { rows: Family[]; total: number; page: number; pages: number }

/**
 * Families by number (whole, its start or its end), whole e-mail address, part of a name (accents and
 * case ignored) or part of an address: one page of 50, by name, and how many match in all.
 */
export async function searchFamilies(db: Db, query: string, page = 1): Promise<FamilySearch> {
  const q = query.trim()
  const where = matching(q)
  // A query too long for a LIKE pattern is searched by its start: the candidates are then kept only
  // if they hold it whole, and paged here (such a query is rare and precise).
  if (likeFragment(q) !== escapeLike(q) && !q.includes('@')) {
    const candidates = await db
      .select()
      .from(families)
      .where(where)
      .orderBy(families.lastName, families.firstName, families.familyNumber)
      .limit(LONG_QUERY_CANDIDATES)
    const rows = candidates.filter((row) =>
      /^\d+$/.test(q)
        ? row.familyNumber.startsWith(q) || row.familyNumber.endsWith(q)
        : (row.nameKey ?? '').includes(foldName(q)) ||
          (row.email ?? '').toLowerCase().includes(q.toLowerCase()),
    )
    const start = (page - 1) * SEARCH_PAGE_SIZE
    return {
      rows: rows.slice(start, start + SEARCH_PAGE_SIZE),
      total: rows.length,
      page,
      pages: Math.max(1, Math.ceil(rows.length / SEARCH_PAGE_SIZE)),
    }
  }
  const [rows, [counted]] = await db.batch([
    db
      .select()
      .from(families)
      .where(where)
      .orderBy(families.lastName, families.firstName, families.familyNumber)
      .limit(SEARCH_PAGE_SIZE)
      .offset((page - 1) * SEARCH_PAGE_SIZE),
    db
      .select({ total: sql<number>`count(*)` })
      .from(families)
      .where(where),
  ])
  const total = counted?.total ?? 0
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / SEARCH_PAGE_SIZE)) }
}
