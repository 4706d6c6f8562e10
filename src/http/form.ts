import type { Context } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { FAMILY_NUMBER_LENGTH, isFamilyNumber, normalizeFamilyNumber } from '../family-number'

/**
 * The posted form as plain fields. Anything that is not a urlencoded or multipart form (JSON, garbage,
 * a broken multipart body) reads as an empty form, which then fails validation with a French message.
 */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody()
  } catch {
    return {}
  }
}

/** A text field: a missing field, a file or a repeated field reads as empty. */
export const textField = () =>
  z.pipe(
    z.transform((value) => (typeof value === 'string' ? value : '')),
    z.string(),
  )

/** A family number (src/family-number.ts); spaces around it are ignored. */
export const familyNumberField = () =>
  z.pipe(textField(), z.transform(normalizeFamilyNumber)).check(
    z.refine((value) => value.length > 0, {
      message: 'Saisissez votre identifiant (numéro de famille).',
    }),
    z.refine((value) => value.length === 0 || isFamilyNumber(value), {
      message: `Le numéro de famille compte exactement ${FAMILY_NUMBER_LENGTH} chiffres, sans espace ni lettre.`,
    }),
  )

export type FieldErrors<Name extends string> = Partial<Record<Name, string[]>>

export type Parsed<T> =
  { success: true; data: T } | { success: false; errors: FieldErrors<Extract<keyof T, string>> }

/** Validates once, at the boundary; errors come back per field, in French, for the form to show. */
export function parseForm<S extends z.ZodMiniObject>(
  schema: S,
  body: Record<string, unknown>,
): Parsed<z.infer<S>> {
  const result = schema.safeParse(body)
  if (result.success) return { success: true, data: result.data }
  const errors: Record<string, string[]> = {}
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form')
    ;(errors[field] ??= []).push(issue.message)
  }
  return { success: false, errors: errors as FieldErrors<Extract<keyof z.infer<S>, string>> }
}

/** What the family typed, to show again (never a password). */
export const typedText = (body: Record<string, unknown>, name: string) => {
  const value = body[name]
  return typeof value === 'string' ? value.slice(0, 40) : undefined
}
