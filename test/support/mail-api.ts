// Test-side handle on the fake mail API of test/support/fake-mail-provider.ts.
export type ReceivedRequest = {
  url: string
  method: string
  headers: Record<string, string>
  body: string
  // What the fake answered: a status, "hang", or "late" (accepted, answered after the time-out).
  reply: number | 'hang' | 'late'
}

export class FakeMailApi {
  readonly origin: string

  constructor(namespace: string) {
    this.origin = `https://${namespace}-${crypto.randomUUID().slice(0, 8)}.mail-api.test`
  }

  get sendUrl() {
    return `${this.origin}/v3/smtp/email`
  }

  /** Env overrides that point the app at this fake with MAIL_PROVIDER=http. */
  env(extra: Record<string, unknown> = {}) {
    return {
      MAIL_PROVIDER: 'http',
      MAIL_API_URL: this.sendUrl,
      MAIL_API_KEY: 'test-api-key',
      ...extra,
    }
  }

  async received(): Promise<ReceivedRequest[]> {
    return (await fetch(`${this.origin}/__received`)).json()
  }

  /** What reached the host this fake's redirects point at. */
  async receivedElsewhere(): Promise<ReceivedRequest[]> {
    const elsewhere = this.origin.replace('https://', 'https://elsewhere-')
    return (await fetch(`${elsewhere}/__received`)).json()
  }

  async script(replies: Array<number | 'hang' | 'late'>, fallback?: number | 'hang' | 'late') {
    await fetch(`${this.origin}/__script`, {
      method: 'POST',
      body: JSON.stringify({ replies, fallback }),
    })
  }
}

/** The idempotency key of each send the fake accepted (2xx), in order. */
export async function deliveredKeys(api: FakeMailApi): Promise<string[]> {
  return (await api.received())
    .filter((request) => typeof request.reply === 'number' && request.reply < 300)
    .map((request) => JSON.parse(request.body).headers.idempotencyKey as string)
}
