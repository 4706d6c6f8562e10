import { expect } from 'vitest'
import { post } from './helpers'

/**
 * A stranger's wrong guesses at `familyNumber` from `ip` until the number answers 429 to unknown
 * clients (5 guesses on a fresh number at the default limit; fewer if it was already counted).
 */
export async function lockNumber(familyNumber: string, ip: string) {
  for (let guess = 0; guess < 10; guess++) {
    const answer = await post(
      '/connexion',
      { identifier: familyNumber, password: `Faux${guess}Faux` },
      { ip },
    )
    if (answer.status === 429) return
    expect(answer.status).toBe(422)
  }
  throw new Error(`${familyNumber} never answered 429 to ${ip}`)
}
