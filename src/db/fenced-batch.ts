import { and, not, type SQL } from 'drizzle-orm'

/** A condition on the state a batch's deciding statement leaves (a fence), or any batch condition. */
export type Fence = SQL
import type { BatchItem } from 'drizzle-orm/batch'
import type { Db } from './client'

// A D1 batch is one transaction, but a statement cannot read the result of the one before it
// (docs/stack-facts.md: `db.transaction()` fails on D1). Every batch that changes an account is
// therefore *decided by its first statement* and every later write is fenced on the state that
// statement leaves: if it changed nothing, nothing else changes either. This helper is that shape,
// named: the writes are built from the fence it hands them, so a write cannot forget it, and the
// results come back by name instead of by position.

type Statement = BatchItem<'sqlite'>
type Read<T> = Statement & PromiseLike<T>

/** A fence that also needs `more` to hold (e.g. "opened, and this was the first sign-in"). */
export const fenceAnd = (fence: SQL, more: SQL) => and(fence, more)!
/** The opposite of a fence: statements written only when the deciding statement did nothing. */
export const fenceNot = (fence: SQL) => not(fence)

/**
 * Runs `decide`, then the writes built on `fence` (true, in each of them, exactly when `decide` did
 * what it decides), then `readBack`, in one all-or-nothing batch. Returns what `decide` returned and
 * what `readBack` read.
 */
export async function fencedBatch<Decided, Row = undefined>(
  db: Db,
  batch: {
    decide: Read<Decided>
    fence: SQL
    writes: (fence: SQL) => Statement[]
    readBack?: Read<Row>
  },
): Promise<{ decided: Decided; rows: Row }> {
  const writes = batch.writes(batch.fence)
  const readBack = batch.readBack ? [batch.readBack] : []
  const results = await db.batch([batch.decide, ...writes, ...readBack])
  return {
    decided: results[0] as Decided,
    rows: (batch.readBack ? results[results.length - 1] : undefined) as Row,
  }
}
