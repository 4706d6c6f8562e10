import { parseAddress, type Mailer } from './mailer'

// Cloudflare Email Service through the `[[send_email]]` binding: no API key to keep, the sending
// domain is verified in the Cloudflare account.
// A call that has not answered within `timeoutMs` counts as "maybe sent", like the HTTP API's: retried.
export function createCloudflareMailer(binding: SendEmail, timeoutMs: number): Mailer {
  return {
    async send(mail) {
      const signal = AbortSignal.timeout(timeoutMs)
      const timeout = new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(new Error('timeout')))
      })
      try {
        const sender = parseAddress(mail.from)
        const sent = binding.send({
          from: sender.name ? { name: sender.name, email: sender.email } : sender.email,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        })
        await Promise.race([sent, timeout])
        return { ok: true }
      } catch (error) {
        // The binding does not tell a bad address from an outage: retry, bounded by the outbox.
        const reason = error instanceof Error ? error.message.slice(0, 200) : 'send_email failed'
        return { ok: false, retryable: true, reason, quota: /quota|limit/i.test(reason) }
      }
    },
  }
}
