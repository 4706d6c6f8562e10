import { parseAddress, type Mailer } from './mailer'

// Cloudflare Email Service through the `[[send_email]]` binding: no API key to keep, the sending
// domain is verified in the Cloudflare account.
export function createCloudflareMailer(binding: SendEmail): Mailer {
  return {
    async send(mail) {
      try {
        const sender = parseAddress(mail.from)
        await binding.send({
          from: sender.name ? { name: sender.name, email: sender.email } : sender.email,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        })
        return { ok: true }
      } catch (error) {
        // The binding does not tell a bad address from an outage: retry, bounded by the outbox.
        const reason = error instanceof Error ? error.message.slice(0, 200) : 'send_email failed'
        return { ok: false, retryable: true, reason, quota: /quota|limit/i.test(reason) }
      }
    },
  }
}
