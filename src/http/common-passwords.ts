import type { Context } from 'hono'
import type { AppEnv } from '../env'
import {
  commonPasswordCheck,
  COMMON_PASSWORDS_PATH,
  type CommonPasswordCheck,
} from '../services/common-passwords'

// The common-password set, fetched from the static assets once per isolate (only its check is kept:
// nothing of one request's I/O outlives it). A missing or stale asset fails the request loudly.
let check: CommonPasswordCheck | undefined

export async function commonPasswords(c: Context<AppEnv>): Promise<CommonPasswordCheck> {
  if (check) return check
  const response = await c.env.ASSETS.fetch(
    new URL(COMMON_PASSWORDS_PATH, 'https://assets.invalid'),
  )
  if (!response.ok) throw new Error(`common-password set: ${response.status}`)
  check = commonPasswordCheck(new Uint8Array(await response.arrayBuffer()))
  return check
}
