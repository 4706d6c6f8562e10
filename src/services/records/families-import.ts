import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { D1_LIMITS } from '../../db/d1-limits'
import { families, familiesImport, sessions, temporaryPasswords } from '../../db/schema'
import { withdrawPendingMailsOfSql } from './outbox'

// The import's staging table and the statements that compare it with `families` and apply it. Nothing
// here reads every family into memory: at 200 000 families the database does the comparing.

/** A family as the commune's export describes it (`families:import`). */
export type ImportedFamily = {
  familyNumber: string
  lastName: string
  firstName: string
  email: string | null
}

// Five parameters a row (the import's key and the four columns), at most 100 a statement.
const ROWS_PER_STATEMENT = Math.floor(D1_LIMITS.boundParametersPerStatement / 5)
// Half the queries an invocation may make: 10 000 families a call.
const STATEMENTS_PER_CALL = D1_LIMITS.queriesPerInvocation / 2
/** How many families one staging call loads. */
export const FAMILIES_PER_STAGING_CALL = ROWS_PER_STATEMENT * STATEMENTS_PER_CALL

/** Empties the staging table (what an interrupted import left, or another one's rows). */
export function emptyStaging(db: Db) {
  return db.delete(familiesImport)
}

/** Statements that load `chunk` (at most FAMILIES_PER_STAGING_CALL) under `importKey`. */
export function stageStatements(db: Db, importKey: string, chunk: ImportedFamily[]) {
  const statements = []
  for (let start = 0; start < chunk.length; start += ROWS_PER_STATEMENT) {
    const rows = chunk.slice(start, start + ROWS_PER_STATEMENT)
    statements.push(
      db.insert(familiesImport).values(rows.map((family) => ({ importKey, ...family }))),
    )
  }
  return statements
}

/** How many families are staged under `importKey`. */
export async function countStaged(db: Db, importKey: string) {
  const row = await db.get<{ n: number }>(
    sql`select count(*) as n from ${familiesImport} where ${familiesImport.importKey} = ${importKey}`,
  )
  return row?.n ?? 0
}

// In the statements below, `i` is a staged row and `f` a family.
const staged = (importKey: string) => sql`families_import i where i.import_key = ${importKey}`
const differs = sql`(f.last_name is not i.last_name or f.first_name is not i.first_name
  or f.email is not i.email or f.closed_at is not null)`
const notStaged = (importKey: string) =>
  sql`not exists (select 1 from families_import i
    where i.import_key = ${importKey} and i.family_number = f.family_number)`

export type ChangedFamily = {
  familyNumber: string
  before: { lastName: string; firstName: string; email: string | null; closedAt: number | null }
  after: { lastName: string; firstName: string; email: string | null }
}

/**
 * What applying the staged rows would do: counts, the first `shown` of each kind, how many addresses
 * several families would share, and those that more than `crowdedAbove` would.
 */
export async function compareStaged(
  db: Db,
  importKey: string,
  { shown, crowdedAbove }: { shown: number; crowdedAbove: number },
) {
  // One call each: drizzle cannot batch raw queries with parameters (db/sql-batch.ts), and a dry run
  // can afford five.
  const [counts, changed, created, leaving, crowded] = await Promise.all([
    db.get<{
      created: number
      changed: number
      unchanged: number
      leaving: number
      withoutEmail: number
    }>(sql`
      select
        (select count(*) from ${staged(importKey)}
          and not exists (select 1 from families f where f.family_number = i.family_number)) as created,
        (select count(*) from ${staged(importKey)}
          and exists (select 1 from families f where f.family_number = i.family_number and ${differs})) as changed,
        (select count(*) from ${staged(importKey)}
          and exists (select 1 from families f where f.family_number = i.family_number and not ${differs})) as unchanged,
        (select count(*) from families f where f.closed_at is null and ${notStaged(importKey)}) as leaving,
        (select count(*) from ${staged(importKey)} and i.email is null) as withoutEmail`),
    db.all<{
      familyNumber: string
      lastName: string
      firstName: string
      email: string | null
      closedAt: number | null
      newLastName: string
      newFirstName: string
      newEmail: string | null
    }>(sql`
      select f.family_number as familyNumber, f.last_name as lastName, f.first_name as firstName,
        f.email as email, f.closed_at as closedAt, i.last_name as newLastName,
        i.first_name as newFirstName, i.email as newEmail
      from families_import i join families f on f.family_number = i.family_number
      where i.import_key = ${importKey} and ${differs}
      order by f.family_number limit ${shown}`),
    db.all<{ familyNumber: string }>(sql`
      select i.family_number as familyNumber from ${staged(importKey)}
      and not exists (select 1 from families f where f.family_number = i.family_number)
      order by i.family_number limit ${shown}`),
    db.all<{ familyNumber: string }>(sql`
      select f.family_number as familyNumber from families f
      where f.closed_at is null and ${notStaged(importKey)} order by f.family_number limit ${shown}`),
    // Each address after the import: the staged families', and those of the families it leaves be.
    db.all<{ email: string; families: number }>(sql`
      select address as email, count(*) as families from (
        select lower(trim(i.email)) as address from ${staged(importKey)} and i.email is not null
        union all
        select lower(trim(f.email)) from families f
        where f.email is not null and f.closed_at is null and ${notStaged(importKey)}
      ) group by address having count(*) > 1 order by families desc, address`),
  ])
  return {
    counts: counts ?? { created: 0, changed: 0, unchanged: 0, leaving: 0, withoutEmail: 0 },
    changed: changed.map((row): ChangedFamily => ({
      familyNumber: row.familyNumber,
      before: {
        lastName: row.lastName,
        firstName: row.firstName,
        email: row.email,
        closedAt: row.closedAt,
      },
      after: { lastName: row.newLastName, firstName: row.newFirstName, email: row.newEmail },
    })),
    created: created.map((row) => row.familyNumber),
    leaving: leaving.map((row) => row.familyNumber),
    // Addresses of several families: how many, and those past `crowdedAbove` in full.
    sharedAddresses: crowded.length,
    addresses: crowded.filter((address) => address.families > crowdedAbove),
  }
}

/**
 * The statements, for one batch (db/sql-batch.ts), that apply the `expected` families staged under
 * `importKey`: they withdraw the waiting mails and void the temporary passwords of families whose
 * address changes, update the changed
 * families (reopening the closed ones), create the new ones, with `closeMissing` close the open
 * families the export no longer lists, withdraw their waiting mails and end their sessions, then
 * empty the staging table. Each
 * holds only if exactly `expected` rows are staged under the key (a half-loaded or reloaded staging
 * table applies nothing).
 */
export function applyStagedStatements(
  input: { importKey: string; expected: number; closeMissing: boolean },
  now: number,
): SQL[] {
  const { importKey, expected, closeMissing } = input
  const complete = sql`(select count(*) from families_import
    where import_key = ${importKey}) = ${expected}`
  const statements = [
    // Before the addresses change: a waiting mail must not go to the old one.
    withdrawPendingMailsOfSql(
      sql`select f.id from families f join families_import i on i.family_number = f.family_number
        where i.import_key = ${importKey} and f.email is not i.email`,
      'address changed by the import',
      complete,
    ),
    // A temporary password mailed to the old address no longer opens anything.
    sql`delete from ${temporaryPasswords} where family_id in (select f.id from families f
      join families_import i on i.family_number = f.family_number
      where i.import_key = ${importKey} and f.email is not i.email) and ${complete}`,
    sql`
      update ${families} as f set last_name = i.last_name, first_name = i.first_name,
        email = i.email, closed_at = null, updated_at = ${now}
      from ${staged(importKey)} and i.family_number = f.family_number and ${differs} and ${complete}`,
    sql`
      insert into ${families} (family_number, last_name, first_name, email, updated_at)
      select i.family_number, i.last_name, i.first_name, i.email, ${now} from ${staged(importKey)}
      and not exists (select 1 from families f where f.family_number = i.family_number)
      and ${complete}`,
  ]
  if (closeMissing) {
    statements.push(
      withdrawPendingMailsOfSql(
        sql`select f.id from families f where f.closed_at is null and ${notStaged(importKey)}`,
        'family closed by the import',
        complete,
      ),
      sql`
        delete from ${sessions} where family_id in (select f.id from families f
          where f.closed_at is null and ${notStaged(importKey)}) and ${complete}`,
      sql`
        update ${families} as f set closed_at = ${now}, updated_at = ${now}
        where f.closed_at is null and ${notStaged(importKey)} and ${complete}`,
    )
  }
  statements.push(sql`delete from ${familiesImport} where import_key = ${importKey}`)
  return statements
}
