import { commonPasswordCheck, COMMON_PASSWORDS_PATH } from '../../src/services/common-passwords'
import { env } from 'cloudflare:workers'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { desc, eq, sql } from 'drizzle-orm'
import { createDb } from '../../src/db/client'
import { families, outbox, temporaryPasswords, type Family } from '../../src/db/schema'
import app from '../../src/index'
import { parseConfig } from '../../src/config'
import { clientKey } from '../../src/services/client-key'
import { hashPassword } from '../../src/services/passwords'
import { enqueueMailStatements } from '../../src/services/records/outbox'

export const BASE = 'http://localhost'
// The fixtures' own writes and reads: each call a request of its own, under D1's other limits.
export const db = createDb(env.DB, 'each call')
export const testEnv = env as unknown as Env & { CLIENT_KEY_SECRET?: string }

/** The configuration the app runs with in these tests (wrangler.toml's vars and the schema's defaults). */
export const testConfig = (() => {
  const result = parseConfig(testEnv as unknown as Record<string, unknown>)
  if (!result.ok) throw new Error(result.problems.join('; '))
  return result.config
})()

/** What staging and production must say beyond the defaults: the commune's own facts for the
 * public-service pages (the samples are refused) and the Cloudflare Access application. */
export const DEPLOYMENT_FACTS = {
  COMMUNE_NAME: 'Ville de Saint-Exemple',
  PUBLISHER_ADDRESS: 'Hôtel de ville, 2 rue de la Paix, 12345 Saint-Exemple',
  PUBLICATION_DIRECTOR: 'Mme Jeanne Exemple, maire',
  DPO_CONTACT: 'dpo@saint-exemple.fr',
  ACCESS_TEAM_DOMAIN: 'https://saint-exemple.cloudflareaccess.com',
  ACCESS_AUD: 'aud-tag-of-the-agents-application',
}

/**
 * A staging Worker as Cloudflare runs it, on its own domain, for tests whose client cannot be on
 * loopback (an IPv6 /64, a request through a proxy): the development configuration refuses them.
 * Mail goes to a fake provider; the hash is at the OWASP floor, so create families with a password
 * (hashed cheaply) rather than sign in with unknown numbers, which hash at the floor.
 */
export const DEPLOYED = {
  origin: 'https://famille.example.org',
  env: {
    ENVIRONMENT: 'staging',
    PUBLIC_URL: 'https://famille.example.org',
    MAIL_PROVIDER: 'http',
    MAIL_API_URL: 'https://deployed.mail-api.test/v3/smtp/email',
    MAIL_API_KEY: 'test-api-key',
    SCRYPT_LOG_N: '14',
    SCRYPT_P: '5',
    ...DEPLOYMENT_FACTS,
  },
} as const

/** What limits and events key a client address on, with the test secret of vitest.config.ts. */
export const clientKeyOf = (address: string) => clientKey(testEnv.CLIENT_KEY_SECRET!, address)

// The cheap hash of vitest.config.ts, for families created directly in the database.
export const TEST_SCRYPT = { logN: 10, r: 8, p: 1 }

let sequence = 0

/** A family number no other test uses (each test file has its own D1, tests in a file share it). */
export function uniqueFamilyNumber(): string {
  sequence++
  const random = Math.floor(Math.random() * 1e6)
    .toString()
    .padStart(6, '0')
  return `9${random}${String(sequence).padStart(8, '0')}`
}

export async function createFamily(
  input: Partial<Omit<Family, 'passwordHash'>> & { password?: string } = {},
): Promise<Family> {
  const { password, ...columns } = input
  const [family] = await db
    .insert(families)
    .values({
      familyNumber: uniqueFamilyNumber(),
      lastName: 'DUPONT',
      firstName: 'Jeanne',
      email: `famille-${sequence}-${crypto.randomUUID().slice(0, 8)}@example.org`,
      passwordHash: password ? await hashPassword(password, TEST_SCRYPT) : null,
      ...columns,
    })
    .returning()
  return family!
}

export type SendOptions = {
  method?: string
  form?: Record<string, string> | URLSearchParams | FormData
  body?: BodyInit
  headers?: Record<string, string>
  cookie?: string
  htmx?: boolean
  // The client address (CF-Connecting-IP); each request gets its own unless a test pins one. The
  // development configuration answers loopback clients only: pin an address of 127.0.0.0/8.
  ip?: string
  // Var overrides, e.g. { ENVIRONMENT: 'production' }: a new env object is parsed afresh.
  env?: Record<string, unknown>
  // false: return as soon as the answer exists, with `settled` to await the background work.
  waitForBackground?: boolean
  // The origin the request is addressed to (its Host), `http://localhost` unless a test says otherwise.
  origin?: string
}

export type Sent = Response & { settled: Promise<void> }

// Every address of 127.0.0.0/8 is this machine (RFC 1122), and each is a client of its own to the
// limits: the tests play many clients without leaving loopback, as `wrangler dev` would see them.
const randomIp = () =>
  `127.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 254) + 1}`

/** One request through the Worker's fetch handler, inside workerd, against the test's D1. */
export async function send(path: string, options: SendOptions = {}): Promise<Sent> {
  const method = options.method ?? (options.form || options.body ? 'POST' : 'GET')
  const base = options.origin ?? BASE
  const headers = new Headers(options.headers)
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', options.ip ?? randomIp())
  // A browser's same-origin post carries Origin; `x-no-default-origin` sends one without it.
  if (headers.has('x-no-default-origin')) headers.delete('x-no-default-origin')
  else if (method !== 'GET' && !headers.has('origin') && !headers.has('sec-fetch-site')) {
    headers.set('origin', base)
  }
  if (options.cookie) headers.set('cookie', options.cookie)
  if (options.htmx) headers.set('HX-Request', 'true')
  let body: BodyInit | undefined = options.body
  if (options.form) {
    body = options.form instanceof FormData ? options.form : new URLSearchParams(options.form)
  }
  const request = new Request(`${base}${path}`, { method, headers, body, redirect: 'manual' })
  const ctx = createExecutionContext()
  const workerEnv = options.env ? { ...testEnv, ...options.env } : testEnv
  const response = (await app.fetch(request, workerEnv, ctx)) as Sent
  const settled = waitOnExecutionContext(ctx)
  if (options.waitForBackground !== false) await settled
  response.settled = settled
  return response
}

export const post = (path: string, form: SendOptions['form'], options: SendOptions = {}) =>
  send(path, { ...options, method: 'POST', form })

/** `name=value` pairs the response sets (an empty value means deleted). */
export function setCookies(response: Response): Map<string, { value: string; attributes: string }> {
  const cookies = new Map<string, { value: string; attributes: string }>()
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';')
    const index = pair!.indexOf('=')
    cookies.set(pair!.slice(0, index).trim(), {
      value: pair!.slice(index + 1).trim(),
      attributes: attributes.join(';').trim(),
    })
  }
  return cookies
}

/** A browser's cookie jar, to walk the flow as one family would. */
export class Visitor {
  private readonly jar = new Map<string, string>()
  readonly ip = randomIp()

  get cookie() {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  cookieValue(name: string) {
    return this.jar.get(name)
  }

  async send(path: string, options: SendOptions = {}): Promise<Sent> {
    const response = await send(path, { ip: this.ip, ...options, cookie: this.cookie || undefined })
    for (const [name, { value, attributes }] of setCookies(response)) {
      const expired = value === '' || /max-age=0\b/i.test(attributes)
      if (expired) this.jar.delete(name)
      else this.jar.set(name, value)
    }
    return response
  }

  get(path: string, options: SendOptions = {}) {
    return this.send(path, { ...options, method: 'GET' })
  }

  post(path: string, form: SendOptions['form'], options: SendOptions = {}) {
    return this.send(path, { ...options, method: 'POST', form })
  }
}

/**
 * A « mot de passe changé » notice waiting in the outbox for `family`, queued at `at` (now), valid
 * three days, as a password change queues it; its outbox id.
 */
export async function queueNotice(family: { id: number; email: string | null }, at = Date.now()) {
  const mail = enqueueMailStatements(db, {
    familyId: family.id,
    kind: 'password_changed',
    to: family.email!,
    content: { subject: 'Test', text: 'x', html: '<p>x</p>' },
    now: at,
    expiresAt: at + 3 * 24 * 3_600_000,
  })
  await db.batch([mail.enqueue()])
  return (await mail.queuedId)[0]!.id
}

export async function mailsTo(recipient: string) {
  return db.select().from(outbox).where(eq(outbox.recipient, recipient)).orderBy(desc(outbox.id))
}

/** The temporary password in the newest mail to `recipient` (as the family reads it). */
export async function temporaryPasswordFromMail(recipient: string): Promise<string> {
  const [mail] = await mailsTo(recipient)
  const match = /Mot de passe : ([0-9a-f]{32})/.exec(mail?.text ?? '')
  if (!match) throw new Error(`no temporary password mailed to ${recipient}`)
  return match[1]!
}

export async function reloadFamily(id: number) {
  return (await db.select().from(families).where(eq(families.id, id)).get())!
}

/** What a person reads: the HTML without tags, entities decoded, white space folded. */
export function readable(html: string): string {
  return html
    .replace(/<(script|style|title)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

export const textOf = async (response: Response) => readable(await response.text())

/** Every row of every table of the app, to prove a request changed nothing (or what it changed). */
export async function snapshotDatabase(): Promise<Record<string, unknown[]>> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations' order by name",
  ).all<{ name: string }>()
  const snapshot: Record<string, unknown[]> = {}
  for (const { name } of tables) {
    snapshot[name] = (await env.DB.prepare(`select * from "${name}"`).all()).results
  }
  return snapshot
}

/** The page with its per-response nonces blanked, to compare two answers byte for byte. */
export const withoutNonces = (text: string) =>
  text.replace(/nonce-?[=":]*[A-Za-z0-9+/=]{16,}/g, 'nonce')

/** One cron run of the Worker, at `scheduledTime`, awaited to the end. */
export async function runCron(scheduledTime: number, envOverrides?: Record<string, unknown>) {
  const { createScheduledController } = await import('cloudflare:test')
  const ctx = createExecutionContext()
  const workerEnv = envOverrides ? { ...testEnv, ...envOverrides } : testEnv
  await app.scheduled(
    createScheduledController({ scheduledTime, cron: '* * * * *' }),
    workerEnv,
    ctx,
  )
  await waitOnExecutionContext(ctx)
}

/**
 * As if the family's temporary passwords had been asked 16 minutes ago: past the default spacing
 * (15 minutes), so its next request issues a new one. Their expiry is left as it was.
 */
export async function letSpacingPass(familyId: number) {
  await db
    .update(temporaryPasswords)
    .set({ createdAt: sql`${temporaryPasswords.createdAt} - ${16 * 60_000}` })
    .where(eq(temporaryPasswords.familyId, familyId))
}

/** A request of an agent of `team` (a published FakeAccessTeam) to the console, as Access sends it. */
export async function sendAsAgent(
  team: { env: () => Record<string, unknown>; token: () => Promise<string> },
  path: string,
  options: SendOptions = {},
) {
  return send(path, {
    ...options,
    env: { ...team.env(), ...options.env },
    headers: { 'Cf-Access-Jwt-Assertion': await team.token(), ...options.headers },
  })
}

/**
 * An agent's post as a browser without JavaScript makes it: a confirmed action answers 303 to the page
 * it acted on, with its notice in a cookie; that page is fetched with it, as the browser would.
 */
export async function postAsAgent(
  team: Parameters<typeof sendAsAgent>[0],
  path: string,
  form: Record<string, string>,
  options: SendOptions = {},
) {
  const posted = await sendAsAgent(team, path, { ...options, method: 'POST', form })
  if (posted.status !== 303) return posted
  const cookie = posted.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  return sendAsAgent(team, posted.headers.get('location')!, { ...options, cookie })
}

/** The common-password check as the Worker builds it, from the static asset this build wrote. */
export async function commonPasswordsFromAssets() {
  const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS
  const response = await assets.fetch(new URL(COMMON_PASSWORDS_PATH, 'https://assets.invalid'))
  return commonPasswordCheck(new Uint8Array(await response.arrayBuffer()))
}
