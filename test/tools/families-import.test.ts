import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execute, query } from '../../scripts/lib/wrangler'
import { migrateLocalDatabase, runTool } from './run-tool'

// `npm run families:import` end to end, through `wrangler d1 execute`, on a local D1 of its own.
let state: string
let files: string
const target = () => ({ remote: false, persistTo: state })

function csv(name: string, content: string) {
  const path = join(files, name)
  writeFileSync(path, content)
  return path
}

const importFile = (path: string, ...flags: string[]) =>
  runTool('families-import.ts', [path, '--persist-to', state, ...flags])

const database = () =>
  query<Record<string, unknown>>(
    target(),
    'select f.family_number, f.last_name, f.first_name, f.email, f.password_hash, (select count(*) from sessions s where s.family_id = f.id) as sessions from families f order by f.family_number',
  )

beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), 'import-state-'))
  files = mkdtempSync(join(tmpdir(), 'import-files-'))
  migrateLocalDatabase(state)
})

afterAll(() => {
  rmSync(state, { recursive: true, force: true })
  rmSync(files, { recursive: true, force: true })
})

describe('npm run families:import', () => {
  it('imports a well-formed file with BOM, ";" and a quoted field', () => {
    const file = csv(
      'familles.csv',
      '\uFEFFnumero_famille;nom;prenom;email\r\n111111111111111;"DURAND; fils";Paul;paul@example.org\r\n111111111111112;MARTIN;Claire;\r\n',
    )
    const run = importFile(file)
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain('Import terminé : 2 créées, 0 mises à jour, 0 inchangées.')
    expect(database()).toEqual([
      {
        family_number: '111111111111111',
        last_name: 'DURAND; fils',
        first_name: 'Paul',
        email: 'paul@example.org',
        password_hash: null,
        sessions: 0,
      },
      {
        family_number: '111111111111112',
        last_name: 'MARTIN',
        first_name: 'Claire',
        email: null,
        password_hash: null,
        sessions: 0,
      },
    ])
  })

  it('updates existing families by number without touching passwords or sessions', () => {
    execute(target(), [
      "UPDATE families SET password_hash = 'scrypt$14$8$5$c2VsLXNlbA==$aGFzaA==' WHERE family_number = '111111111111111'",
      "INSERT INTO sessions (id, family_id, kind, last_seen_at, expires_at) SELECT 'a-session', id, 'full', 0, 9999999999999 FROM families WHERE family_number = '111111111111111'",
    ])
    const file = csv(
      'maj.csv',
      'numero_famille,nom,prenom,email\n111111111111111,DURAND,Paul,paul.durand@example.org\n111111111111112,MARTIN,Claire,\n',
    )
    const dryRun = importFile(file, '--dry-run')
    expect(dryRun.status, dryRun.output).toBe(0)
    expect(dryRun.stdout).toContain('0 à créer, 1 à mettre à jour, 1 inchangées')
    expect(dryRun.stdout).toContain(
      '111111111111111 : nom DURAND; fils → DURAND, e-mail paul@example.org → paul.durand@example.org',
    )
    expect(dryRun.stdout).toContain('rien n’a été écrit')
    expect(database()[0]!.last_name).toBe('DURAND; fils')

    const run = importFile(file)
    expect(run.status, run.output).toBe(0)
    const [updated] = database()
    expect(updated).toMatchObject({
      last_name: 'DURAND',
      email: 'paul.durand@example.org',
      sessions: 1,
    })
    expect(updated!.password_hash).toBe('scrypt$14$8$5$c2VsLXNlbA==$aGFzaA==')
  })

  it.each([
    [
      'duplicate numbers',
      'numero_famille;nom;prenom;email\n222222222222221;A;B;\n222222222222221;C;D;\n',
      ['ligne 3 : numéro de famille déjà présent ligne 2'],
    ],
    [
      'bad e-mails',
      'numero_famille;nom;prenom;email\n222222222222221;A;B;a@\n222222222222222;C;D;@example.org\n',
      ['ligne 2 : adresse e-mail invalide', 'ligne 3 : adresse e-mail invalide'],
    ],
    [
      'wrong headers',
      'num;nom;prenom;email\n222222222222221;A;B;\n',
      ['ligne 1 : en-têtes attendus'],
    ],
    ['an empty file', '', ['ligne 1 : fichier vide']],
  ])('reports %s with line numbers and leaves the database untouched', (_, content, expected) => {
    const before = database()
    const run = importFile(csv('mauvais.csv', content))
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("rien n'a été importé")
    for (const line of expected) expect(run.stderr).toContain(line)
    expect(database()).toEqual(before)
  })

  it('says how to call it without a file, and when the file does not exist', () => {
    expect(runTool('families-import.ts', []).stderr).toContain('Usage : npm run families:import')
    const missing = importFile(join(files, 'absent.csv'))
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('Fichier illisible')
  })
})
