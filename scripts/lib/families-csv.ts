import { parse } from 'csv-parse/sync'
import * as z from 'zod'
import { FAMILY_NUMBER_LENGTH, FAMILY_NUMBER_PATTERN } from '../../src/family-number'
import type { ImportedFamily } from '../../src/services/flows/families-import'

// The families file as communes export it from their billing software: UTF-8 with or without BOM,
// `;` or `,`, French headers, quoted fields. Every bad line is reported; one bad line imports nothing.
export type { ImportedFamily }
export type LineError = { line: number; reason: string }
export type ParsedFile = { families: ImportedFamily[]; errors: LineError[] }

const HEADERS = ['numero_famille', 'nom', 'prenom', 'email'] as const

// "Prénom", "E-mail", "Numéro famille": the same column under the names people type.
const canonicalHeader = (header: string) =>
  header
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/^e_?mail$|^courriel$/, 'email')
    .replace(/^numero_de_famille$/, 'numero_famille')

const family = z.object({
  familyNumber: z
    .string()
    .trim()
    .regex(
      FAMILY_NUMBER_PATTERN,
      `numéro de famille invalide (${FAMILY_NUMBER_LENGTH} chiffres attendus)`,
    ),
  lastName: z
    .string()
    .trim()
    .min(1, 'nom manquant')
    .max(100, 'nom trop long (100 caractères au plus)'),
  firstName: z
    .string()
    .trim()
    .min(1, 'prénom manquant')
    .max(100, 'prénom trop long (100 caractères au plus)'),
  email: z
    .string()
    .trim()
    .transform((value) => value || null)
    .pipe(z.email('adresse e-mail invalide').max(254).nullable()),
})

function detectDelimiter(text: string): ';' | ',' {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'))
  return firstLine.split(';').length >= firstLine.split(',').length ? ';' : ','
}

export function parseFamiliesCsv(input: string): ParsedFile {
  const text = input.replace(/^\uFEFF/, '')
  if (text.trim() === '') return { families: [], errors: [{ line: 1, reason: 'fichier vide' }] }

  let rows: Array<{ record: string[]; info: { lines: number } }>
  try {
    rows = parse(text, {
      delimiter: detectDelimiter(text),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof rows
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1
    return {
      families: [],
      errors: [{ line, reason: `CSV illisible : ${(error as Error).message}` }],
    }
  }

  const [header, ...records] = rows
  const columns = header!.record.map(canonicalHeader)
  if (HEADERS.some((name, index) => columns[index] !== name) || columns.length !== HEADERS.length) {
    return {
      families: [],
      errors: [
        {
          line: 1,
          reason: `en-têtes attendus : ${HEADERS.join(';')} (reçus : ${header!.record.join(';')})`,
        },
      ],
    }
  }
  if (records.length === 0)
    return { families: [], errors: [{ line: 2, reason: 'aucune famille dans le fichier' }] }

  const families: ImportedFamily[] = []
  const errors: LineError[] = []
  const firstSeen = new Map<string, number>()
  for (const { record, info } of records) {
    const line = info.lines
    if (record.length !== HEADERS.length) {
      errors.push({ line, reason: `${HEADERS.length} colonnes attendues, ${record.length} reçues` })
      continue
    }
    const [familyNumber, lastName, firstName, email] = record as [string, string, string, string]
    const parsed = family.safeParse({ familyNumber, lastName, firstName, email })
    if (!parsed.success) {
      // Each refusal quotes the value it refused, so the operator finds it in the file.
      const typed = { familyNumber, lastName, firstName, email }
      const reasons = parsed.error.issues.map((issue) => {
        const value = typed[issue.path[0] as keyof typeof typed] ?? ''
        return `${issue.message} (« ${value.length > 60 ? `${value.slice(0, 60)}…` : value} »)`
      })
      errors.push({ line, reason: reasons.join(', ') })
      continue
    }
    const previous = firstSeen.get(parsed.data.familyNumber)
    if (previous !== undefined) {
      errors.push({ line, reason: `numéro de famille déjà présent ligne ${previous}` })
      continue
    }
    firstSeen.set(parsed.data.familyNumber, line)
    families.push(parsed.data)
  }
  return { families: errors.length > 0 ? [] : families, errors }
}
