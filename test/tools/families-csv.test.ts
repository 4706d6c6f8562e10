import { describe, expect, it } from 'vitest'
import { parseFamiliesCsv } from '../../scripts/lib/families-csv'

const HEADER = 'numero_famille;nom;prenom;email'

describe('parseFamiliesCsv', () => {
  it('reads a well-formed file', () => {
    const { families, errors } = parseFamiliesCsv(
      `${HEADER}\n123456789012345;DUPONT;Jeanne;jeanne@example.org\n123456789012346;MARTIN;Luc;\n`,
    )
    expect(errors).toEqual([])
    expect(families).toEqual([
      {
        familyNumber: '123456789012345',
        lastName: 'DUPONT',
        firstName: 'Jeanne',
        email: 'jeanne@example.org',
      },
      { familyNumber: '123456789012346', lastName: 'MARTIN', firstName: 'Luc', email: null },
    ])
  })

  it('reads UTF-8 with a BOM, French headers with accents, commas, CRLF', () => {
    const { families, errors } = parseFamiliesCsv(
      '\uFEFFNuméro de famille,Nom,Prénom,E-mail\r\n123456789012345,LEFÈVRE,Zoé,zoe@example.org\r\n',
    )
    expect(errors).toEqual([])
    expect(families[0]).toEqual({
      familyNumber: '123456789012345',
      lastName: 'LEFÈVRE',
      firstName: 'Zoé',
      email: 'zoe@example.org',
    })
  })

  it('keeps a ; inside a quoted field', () => {
    const { families, errors } = parseFamiliesCsv(
      `${HEADER}\n123456789012345;"DUPONT; dit ""Jo""";Jean;\n`,
    )
    expect(errors).toEqual([])
    expect(families[0]!.lastName).toBe('DUPONT; dit "Jo"')
  })

  it('reports a duplicated number on the later line, and imports nothing', () => {
    const { families, errors } = parseFamiliesCsv(
      `${HEADER}\n123456789012345;A;B;\n123456789012346;C;D;\n123456789012345;E;F;\n`,
    )
    expect(families).toEqual([])
    expect(errors).toEqual([{ line: 4, reason: 'numéro de famille déjà présent ligne 2' }])
  })

  it('reports every bad e-mail and number with its line and the value it refused', () => {
    const { families, errors } = parseFamiliesCsv(
      `${HEADER}\n123456789012345;A;B;pas-une-adresse\n12345;C;D;c@example.org\n123456789012347;E;F;e@example.org\n`,
    )
    expect(families).toEqual([])
    expect(errors).toEqual([
      { line: 2, reason: 'adresse e-mail invalide (« pas-une-adresse »)' },
      { line: 3, reason: 'numéro de famille invalide (15 chiffres attendus) (« 12345 »)' },
    ])
  })

  it('refuses wrong headers', () => {
    const { errors } = parseFamiliesCsv('id;name;first;mail\n123456789012345;A;B;\n')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.line).toBe(1)
    expect(errors[0]!.reason).toContain('en-têtes attendus : numero_famille;nom;prenom;email')
  })

  it('refuses an empty file and a file with headers only', () => {
    expect(parseFamiliesCsv('').errors).toEqual([{ line: 1, reason: 'fichier vide' }])
    expect(parseFamiliesCsv('\uFEFF\n').errors).toEqual([{ line: 1, reason: 'fichier vide' }])
    expect(parseFamiliesCsv(`${HEADER}\n`).errors).toEqual([
      { line: 2, reason: 'aucune famille dans le fichier' },
    ])
  })

  it('reports a line with the wrong number of columns', () => {
    const { errors } = parseFamiliesCsv(`${HEADER}\n123456789012345;A;B\n`)
    expect(errors).toEqual([{ line: 2, reason: '4 colonnes attendues, 3 reçues' }])
  })
})
