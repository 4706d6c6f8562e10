import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { projectBin, projectRoot, toolEnv } from '../scripts/lib/wrangler'

// D1 round trips (and the queries they hold) per route, as test/routes/round-trips.test.ts counts them through a counting wrapper
// around the real binding in workerd: the bench runs that test file and reads the counts it prints.
export type RoundTrips = Array<{ route: string; calls: number; queries: number }>

export function measureRoundTrips(): RoundTrips {
  const run = spawnSync(
    join(projectBin, 'vitest'),
    ['run', '--project', 'workers', 'test/routes/round-trips.test.ts', '--silent=false'],
    { cwd: projectRoot, encoding: 'utf8', env: { ...toolEnv, ROUND_TRIPS: '1' } },
  )
  if (run.status !== 0) throw new Error(`round-trips test failed:\n${run.stdout}${run.stderr}`)
  return [...run.stdout.matchAll(/D1_ROUND_TRIPS (\{.*\})/g)].map(
    (match) => JSON.parse(match[1]!) as RoundTrips[number],
  )
}
