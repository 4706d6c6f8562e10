/// <reference types="vite/client" />
import { inArray } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { securityEvents } from '../../src/db/schema'
import { createFamily, db, testEnv } from '../support/helpers'

// Migration 0009 gives the journal the agents' actions recorded before it, whose agent was written at
// the end of `detail`; a family's own events, whatever name it chose, stay its own.
const migration = Object.values(
  import.meta.glob<string>('../../migrations/0009_*.sql', {
    eager: true,
    query: '?raw',
    import: 'default',
  }),
)[0]!
const backfill = migration
  .split('--> statement-breakpoint')
  .map((statement) => statement.replace(/^--.*$/gm, '').trim())
  .find((statement) => statement.startsWith('UPDATE'))!

describe("migration 0009's backfill of the agents' actions", () => {
  it('names the agent of each older agent action, and of nothing else', async () => {
    const family = await createFamily()
    const legacy = [
      ['agent_action', 'sessions ended and temporary password voided by agent a@ville-exemple.fr'],
      ['agent_action', 'x by agent evil@example.org removed by agent b@ville-exemple.fr'],
      ['temporary_password_requested', 'issued by agent c@ville-exemple.fr'],
      ['passkey_added', 'Mon téléphone by agent chef@ville-exemple.fr'],
      ['temporary_password_requested', null],
    ] as const
    const rows = await db
      .insert(securityEvents)
      .values(legacy.map(([type, detail]) => ({ type, detail, familyId: family.id })))
      .returning({ id: securityEvents.id })
    await testEnv.DB.prepare(backfill).run()
    const after = await db
      .select({ agent: securityEvents.agent })
      .from(securityEvents)
      .where(
        inArray(
          securityEvents.id,
          rows.map(({ id }) => id),
        ),
      )
      .orderBy(securityEvents.id)
    expect(after.map(({ agent }) => agent)).toEqual([
      'a@ville-exemple.fr',
      'b@ville-exemple.fr',
      'c@ville-exemple.fr',
      null,
      null,
    ])
  })
})
