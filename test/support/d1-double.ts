// A test double around the REAL D1 binding (never a mock of it): it counts every statement the app runs,
// lets a test act just before the Nth (a concurrent change, deterministically), and makes the Nth fail.
// A failing statement inside a batch is replaced by one the real D1 rejects, so the real batch is what
// rolls back: this tests D1's own atomicity, not the double's.
type Plan = {
  // Runs before the statement numbered `index` (from 1), with its SQL.
  before?: (index: number, sql: string) => Promise<void> | void
  // The statement numbered `failAt` fails.
  failAt?: number
}

const REAL = Symbol('real statement')
type Wrapped = D1PreparedStatement & { [REAL]: D1PreparedStatement; sql: string }

export function instrumentD1(real: D1Database, plan: Plan = {}) {
  const seen: string[] = []
  // One entry per call to D1 (a single query or a whole batch): each is a network hop in production.
  const calls: string[][] = []

  async function reach(sql: string): Promise<boolean> {
    seen.push(sql)
    const index = seen.length
    await plan.before?.(index, sql)
    return index === plan.failAt
  }

  function wrap(statement: D1PreparedStatement, sql: string): Wrapped {
    const once =
      <T>(run: () => Promise<T>) =>
      async () => {
        calls.push([sql])
        if (await reach(sql)) throw new Error('D1_ERROR: injected failure')
        return run()
      }
    return {
      [REAL]: statement,
      sql,
      bind: (...values: unknown[]) => wrap(statement.bind(...values), sql),
      first: (column?: string) => once(() => statement.first(column as string))(),
      all: () => once(() => statement.all())(),
      run: () => once(() => statement.run())(),
      raw: (options?: { columnNames?: boolean }) =>
        once(() => statement.raw(options as { columnNames: true }))(),
    } as unknown as Wrapped
  }

  const double = {
    prepare: (sql: string) => wrap(real.prepare(sql), sql),
    async batch(statements: Wrapped[]) {
      calls.push(statements.map((statement) => statement.sql))
      const reals: D1PreparedStatement[] = []
      for (const statement of statements) {
        const fails = await reach(statement.sql)
        reals.push(
          fails ? real.prepare('insert into injected_failure values (1)') : statement[REAL],
        )
      }
      return real.batch(reals)
    },
    exec: (sql: string) => real.exec(sql),
    dump: () => real.dump(),
    withSession: () => double,
  }
  return { db: double as unknown as D1Database, statements: seen, calls }
}
