import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFamily, post, send } from '../support/helpers'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the request log', () => {
  it('writes one JSON line per request with the route pattern, status and duration, and no family number', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)))
    const family = await createFamily({ password: 'Soleil2026' })
    await post('/connexion', { identifier: family.familyNumber, password: 'Soleil2026' })
    await send(`/connexion?identifier=${family.familyNumber}`)
    const requests = lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.event === 'request')
    expect(requests).toHaveLength(2)
    expect(requests[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/connexion',
      status: 303,
    })
    expect(requests[1]).toMatchObject({ method: 'GET', route: '/connexion', status: 200 })
    expect(typeof requests[0].durationMs).toBe('number')
    expect(lines.join('\n')).not.toContain(family.familyNumber)
    expect(lines.join('\n')).not.toContain('Soleil2026')
  })
})
