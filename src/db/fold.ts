import { sql, type SQL } from 'drizzle-orm'

// Names as an agent types them: « Zoé Lefèvre », « zoe lefevre » and « ZOE LEFÈVRE » are one name. The
// database keeps each family's name folded in a generated column (`families.name_key`, kept by every
// write, the import's included), and the query is folded the same way here, from the same table: SQLite
// has no ICU on D1 and its lower() folds ASCII letters only, so each accented letter is replaced, in
// both cases, before ASCII letters are lowered.
//
// The column's definition is frozen in migration 0009 as this table wrote it: a change here needs a
// migration that redefines `families.name_key` (drop the index and the column, add them again), and
// test/routes/agents.test.ts fails until it is written. Search names the column's index by name
// (records/family-search.ts): renaming `families_search_idx` means changing it there too.
export const FOLDS: ReadonlyArray<readonly [from: string, to: string]> = [
  ...pairs('àâäáãå', 'a'),
  ...pairs('ç', 'c'),
  ...pairs('éèêë', 'e'),
  ...pairs('îïíì', 'i'),
  ...pairs('ñ', 'n'),
  ...pairs('ôöóòõ', 'o'),
  ...pairs('ùûüú', 'u'),
  ...pairs('ÿý', 'y'),
  ...pairs('œ', 'oe'),
  ...pairs('æ', 'ae'),
  // « D’ALMEIDA » as typed on a phone or a French keyboard.
  ['’', "'"],
]

function pairs(letters: string, to: string): Array<readonly [string, string]> {
  return [...letters].flatMap((letter) => [
    [letter, to] as const,
    [letter.toUpperCase(), to] as const,
  ])
}

/** `text` folded as the database folds names: accents gone, ASCII letters lowered, the rest kept. */
export function foldName(text: string): string {
  let folded = text
  for (const [from, to] of FOLDS) folded = folded.replaceAll(from, to)
  return folded.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}

/** The same fold as SQL over `expression` (the generated column's definition). */
export function foldNameSql(expression: SQL): SQL {
  return FOLDS.reduce(
    (folded, [from, to]) => sql`replace(${folded}, ${sql.raw(`'${from}'`)}, ${sql.raw(quote(to))})`,
    sql`lower(${expression})`,
  )
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`
