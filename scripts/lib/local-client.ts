// A small HTTP client for the app served locally (bench, browser and ops-tool tests): keeps cookies
// like a browser, posts same-origin forms, asks for htmx fragments on demand, and reads the
// development mailbox.
import { FAMILY_NUMBER_LENGTH } from '../../src/family-number'
import { PATHS } from '../../src/paths'

/**
 * A client address of 127.0.0.0/8, sent as CF-Connecting-IP: the per-address limits see each client
 * apart, and the development configuration (which answers loopback clients only) serves it.
 */
export const randomClientAddress = () =>
  `127.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`

/** A family number no demo family has (they start with 1 or 8): a wrong guess, hashed all the same. */
export const randomNumber = () => `9${String(Math.floor(Math.random() * 1e14)).padStart(14, '0')}`

type Answer = { status: number; location: string | null; body: string }

export class LocalClient {
  private readonly cookies = new Map<string, string>()

  constructor(
    private readonly baseUrl: string,
    private readonly address = randomClientAddress(),
  ) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { htmx?: boolean; form?: Record<string, string> } = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(options.htmx ? { 'HX-Request': 'true' } : {}),
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        origin: this.baseUrl,
        'cf-connecting-ip': this.address,
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      },
      body: options.form ? new URLSearchParams(options.form) : undefined,
    })
    for (const line of response.headers.getSetCookie()) {
      const [name, value] = line.split(';')[0]!.split('=') as [string, string]
      if (value) this.cookies.set(name, value)
      else this.cookies.delete(name)
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    }
  }

  get(path: string, options: { htmx?: boolean } = {}) {
    return this.request('GET', path, options)
  }

  post(path: string, form: Record<string, string>, options: { htmx?: boolean } = {}) {
    return this.request('POST', path, { ...options, form })
  }
}

/**
 * The temporary password in the newest mail to `email` in the development mailbox. The mail is
 * written after the answer has left (waitUntil): wait for it a little, as a family would.
 */
export async function readTemporaryPassword(baseUrl: string, email: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const mails = (await (await fetch(`${baseUrl}${PATHS.devMailsJson}`)).json()) as Array<{
      to: string
      text: string | null
    }>
    const match = /Mot de passe : ([0-9a-f]{32})/.exec(
      mails.find((mail) => mail.to === email)?.text ?? '',
    )
    if (match) return match[1]!
    await new Promise((wait) => setTimeout(wait, 100))
  }
  throw new Error(`no temporary password mailed to ${email}`)
}

// The mail's « - Login : 123456789012345 » line (src/services/mail/family-number-mail.tsx).
const LOGIN_LINE = new RegExp(`- Login : (\\d{${FAMILY_NUMBER_LENGTH}})`)

/** The family number in the newest « Votre numéro de famille » mail to `email` (dev mailbox). */
export async function readFamilyNumber(baseUrl: string, email: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const mails = (await (await fetch(`${baseUrl}${PATHS.devMailsJson}`)).json()) as Array<{
      to: string
      subject: string
      text: string | null
    }>
    const mail = mails.find((m) => m.to === email && m.subject === 'Votre numéro de famille')
    const match = LOGIN_LINE.exec(mail?.text ?? '')
    if (match) return match[1]!
    await new Promise((wait) => setTimeout(wait, 100))
  }
  throw new Error(`no family number mailed to ${email}`)
}
