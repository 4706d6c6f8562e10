import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asc, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPlatform } from '../../scripts/lib/platform'
import { families, sessions } from '../../src/db/schema'
import type { Db } from '../../src/db/client'
import { migrateLocalDatabase, runTool } from '../support/node/run-tool'

// `npm run families:import` end to end, through the Worker's own service on a local D1 of its own.
let state: string
let files: string

/** Runs `work` against the tool's local D1, as the tool itself opens it. */
async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const platform = await openPlatform({ remote: false, persistTo: state })
  try {
    return await work(platform.db)
  } finally {
    await platform.dispose()
  }
}

function csv(name: string, content: string) {
  const path = join(files, name)
  writeFileSync(path, content)
  return path
}

const importFile = (path: string, ...flags: string[]) =>
  runTool('families-import.ts', [path, '--persist-to', state, ...flags])

const database = () =>
  withDb((db) =>
    db
      .select({
        family_number: families.familyNumber,
        last_name: families.lastName,
        first_name: families.firstName,
        email: families.email,
        password_hash: families.passwordHash,
        // Spelled out: drizzle leaves single-table columns unqualified, which a subquery would misread.
        sessions: sql<number>`(select count(*) from sessions where sessions.family_id = families.id)`,
      })
      .from(families)
      .orderBy(asc(families.familyNumber)),
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
  it('imports a well-formed file with BOM, ";" and a quoted field', async () => {
    const file = csv(
      'familles.csv',
      '\uFEFFnumero_famille;nom;prenom;email\r\n111111111111111;"DURAND; fils";Paul;paul@example.org\r\n111111111111112;MARTIN;Claire;\r\n',
    )
    const run = importFile(file)
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain('Import terminé : 2 créées, 0 mises à jour, 0 inchangées.')
    expect(await database()).toEqual([
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

  it('updates existing families by number without touching passwords or sessions', async () => {
    await withDb(async (db) => {
      const [paul] = await db
        .update(families)
        .set({ passwordHash: 'scrypt$14$8$5$c2VsLXNlbA==$aGFzaA==' })
        .where(eq(families.familyNumber, '111111111111111'))
        .returning()
      await db.insert(sessions).values({
        id: 'a-session',
        familyId: paul!.id,
        kind: 'full',
        lastSeenAt: 0,
        expiresAt: 9999999999999,
      })
    })
    const file = csv(
      'maj.csv',
      'numero_famille,nom,prenom,email\n111111111111111,DURAND,Paul,paul.durand@example.org\n111111111111112,MARTIN,Claire,\n',
    )
    const dryRun = importFile(file, '--dry-run')
    expect(dryRun.status, dryRun.output).toBe(0)
    expect(dryRun.stdout).toContain('0 à créer, 1 à mettre à jour, 1 inchangées')
    // MARTIN has no address in the file: no mail can reach that family.
    expect(dryRun.stdout).toContain(
      '1 famille(s) sans adresse e-mail (aucun mot de passe ne pourra leur être envoyé)',
    )
    expect(dryRun.stdout).toContain(
      '111111111111111 : nom DURAND; fils → DURAND, e-mail paul@example.org → paul.durand@example.org',
    )
    expect(dryRun.stdout).toContain('aucune famille n’a été écrite')
    expect((await database())[0]!.last_name).toBe('DURAND; fils')

    const run = importFile(file)
    expect(run.status, run.output).toBe(0)
    const [updated] = await database()
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
      [
        'ligne 2 : adresse e-mail invalide (« a@ »)',
        'ligne 3 : adresse e-mail invalide (« @example.org »)',
      ],
    ],
    [
      'wrong headers',
      'num;nom;prenom;email\n222222222222221;A;B;\n',
      ['ligne 1 : en-têtes attendus'],
    ],
    ['an empty file', '', ['ligne 1 : fichier vide']],
  ])(
    'reports %s with line numbers and leaves the database untouched',
    async (_, content, expected) => {
      const before = await database()
      const run = importFile(csv('mauvais.csv', content))
      expect(run.status).toBe(1)
      expect(run.stderr).toContain("rien n'a été importé")
      for (const line of expected) expect(run.stderr).toContain(line)
      expect(await database()).toEqual(before)
    },
  )

  it('warns in French about an address shared by more than 5 families, in a dry run too, and imports anyway', async () => {
    // Five families of the file and two already in the database share it (one typed in capitals).
    await withDb((db) =>
      db.insert(families).values([
        {
          familyNumber: '333333333333301',
          lastName: 'ANCIENNE',
          firstName: 'Une',
          email: 'centre@example.org',
        },
        {
          familyNumber: '333333333333302',
          lastName: 'ANCIENNE',
          firstName: 'Deux',
          email: 'Centre@Example.org',
        },
      ]),
    )
    const rows = Array.from(
      { length: 5 },
      (_, index) => `33333333333331${index};ACCUEIL${index};Enfant;centre@example.org`,
    )
    const five = `numero_famille;nom;prenom;email\n${rows.join('\n')}\n444444444444401;SEULE;Une;seule@example.org\n`
    const warning =
      'Attention : l’adresse centre@example.org est celle de 7 familles. « Numéro de famille oublié » ' +
      'n’envoie que les 5 premiers numéros ; les autres familles devront appeler la mairie. ' +
      'L’import n’est pas bloqué.'
    const before = await database()
    const dry = importFile(csv('partagee.csv', five), '--dry-run')
    expect(dry.status, dry.output).toBe(0)
    expect(dry.stdout).toContain(warning)
    expect(dry.stdout).not.toContain('seule@example.org')
    expect(dry.stdout).toMatch(/, [1-9]\d* adresse\(s\) partagée\(s\) par plusieurs familles/)
    expect(await database()).toEqual(before)

    const run = importFile(csv('partagee.csv', five))
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain(warning)
    expect(run.stdout).toContain('Import terminé : 6 créées')
  })

  it('refuses a file that is not UTF-8 (French Excel saves Windows-1252), saying how to re-save it', async () => {
    const before = await database()
    const path = join(files, 'excel.csv')
    // « Jean-François » as Excel's « CSV (séparateur : point-virgule) » writes it: ç is 0xE7.
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from('numero_famille;nom;prenom;email\n666666666666601;DUPONT;Jean-Fran'),
        Buffer.from([0xe7]),
        Buffer.from('ois;\n'),
      ]),
    )
    const run = importFile(path)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('Le fichier n’est pas en UTF-8 : probablement en Windows-1252')
    expect(run.stderr).toContain('« CSV UTF-8 (délimité par des virgules) »')
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/)
    expect(await database()).toEqual(before)
  })

  it('does nothing when npm kept an option for itself (`--` forgotten), nor on an unknown option', async () => {
    const before = await database()
    const file = csv('npm.csv', 'numero_famille;nom;prenom;email\n666666666666602;A;B;\n')
    // `npm run families:import familles.csv --dry-run`: npm takes --dry-run, the script never sees it.
    const swallowed = runTool('families-import.ts', [file, '--persist-to', state], {
      npm_config_dry_run: 'true',
      npm_lifecycle_event: 'families:import',
    })
    expect(swallowed.status).toBe(2)
    expect(swallowed.stderr).toContain(
      'npm a gardé pour lui --dry-run : ajoutez « -- » avant le fichier et les options, par exemple npm run families:import -- familles.csv --dry-run.',
    )
    const unknown = importFile(file, '--dry-runn')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('Option inconnue ou incomplète : --dry-runn.')
    expect(await database()).toEqual(before)
  })

  it('says in one line that an unmigrated database must be migrated first', () => {
    const empty = mkdtempSync(join(tmpdir(), 'import-unmigrated-'))
    try {
      const run = runTool('families-import.ts', [
        csv('vide.csv', 'numero_famille;nom;prenom;email\n666666666666603;A;B;\n'),
        '--persist-to',
        empty,
      ])
      expect(run.status).toBe(1)
      expect(run.stderr.trim()).toBe(
        'La base locale n’est pas migrée : lancez npm run db:migrate:local, puis relancez. Rien n’a été écrit.',
      )
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('says how to call it without a file, and when the file does not exist', () => {
    expect(runTool('families-import.ts', []).stderr).toContain('Usage : npm run families:import')
    const missing = importFile(join(files, 'absent.csv'))
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('Fichier illisible')
  })

  it("imports a commune's 20 000 families, again unchanged, then with 100 changed", async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => {
      const number = String(500_000_000_000_000 + index)
      return `${number};FAMILLE${index};Prénom;parent${index}@example.org`
    })
    const file = csv('commune.csv', `numero_famille;nom;prenom;email\n${rows.join('\n')}\n`)
    const first = importFile(file)
    expect(first.status, first.output).toBe(0)
    expect(first.stdout).toContain('Import terminé : 20000 créées, 0 mises à jour')

    const again = importFile(file)
    expect(again.status, again.output).toBe(0)
    expect(again.stdout).toContain('Import terminé : 0 créées, 0 mises à jour, 20000 inchangées.')

    const changed = rows.map((row, index) =>
      index % 200 === 0 ? row.replace('@example.org', '@example.net') : row,
    )
    const third = importFile(
      csv('commune-2.csv', `numero_famille;nom;prenom;email\n${changed.join('\n')}\n`),
    )
    expect(third.status, third.output).toBe(0)
    expect(third.stdout).toContain('Import terminé : 0 créées, 100 mises à jour, 19900 inchangées.')
    const moved = await withDb((db) =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(families)
        .where(sql`${families.email} like '%@example.net'`),
    )
    expect(moved[0]!.n).toBe(100)
  }, 180_000)

  // Last: it closes every family the other tests imported.
  it('closes with --close-missing the families the export no longer lists, counted first by the dry run', async () => {
    const closed = () =>
      withDb(async (db) => {
        const [row] = await db
          .select({ n: sql<number>`count(*)` })
          .from(families)
          .where(sql`${families.closedAt} is not null`)
        return row!.n
      })
    const file = csv('depart.csv', 'numero_famille;nom;prenom;email\n555555555555501;RESTE;Une;\n')
    const dry = importFile(file, '--dry-run', '--close-missing')
    expect(dry.status, dry.output).toBe(0)
    const leaving =
      /1 à créer, 0 à mettre à jour, 0 inchangées, (\d+) absentes du fichier \(à fermer : --close-missing\)/.exec(
        dry.stdout,
      )
    expect(leaving, dry.stdout).not.toBeNull()
    expect(Number(leaving![1])).toBeGreaterThan(20_000)
    expect(await closed()).toBe(0)

    // A file that misses most families is refused without --force: a truncated export, most likely.
    const refused = importFile(file, '--close-missing')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain(
      `--close-missing fermerait ${leaving![1]} familles sur ${leaving![1]} : le fichier est-il complet ?`,
    )
    expect(await closed()).toBe(0)

    const run = importFile(file, '--close-missing', '--force')
    expect(run.status, run.output).toBe(0)
    expect(run.stdout).toContain(
      `Import terminé : 1 créées, 0 mises à jour, 0 inchangées, ${leaving![1]} fermées.`,
    )
    expect(await closed()).toBe(Number(leaving![1]))
  })
})
