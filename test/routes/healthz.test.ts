import { describe, expect, it } from 'vitest'
import { send } from '../support/helpers'

describe('GET /healthz', () => {
  it('answers 200 when D1 answers', async () => {
    const response = await send('/healthz')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
  })

  it('answers 503 when D1 does not', async () => {
    // The one way to make D1 fail on demand: a binding that throws as an unreachable database would.
    const unreachable = {
      prepare() {
        throw new Error('D1_ERROR: Network connection lost.')
      },
    }
    const response = await send('/healthz', { env: { DB: unreachable } })
    expect(response.status).toBe(503)
    expect(await response.text()).toBe('indisponible')
  })
})
