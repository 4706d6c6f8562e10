import { parseAddress, type Mailer, type OutgoingMail, type SendResult } from './mailer'

// Brevo's transactional e-mail API (POST /v3/smtp/email, `api-key` header):
// https://developers.brevo.com/reference/sendtransacemail. Chosen because it is a French provider
// hosting its data in the EU (GDPR, no transfer outside the Union to explain to a commune's DPO),
// with a free tier large enough for a commune's password mails.
function brevoRequestBody(mail: OutgoingMail) {
  const sender = parseAddress(mail.from)
  return {
    sender: sender.name ? { name: sender.name, email: sender.email } : { email: sender.email },
    to: [{ email: mail.to }],
    subject: mail.subject,
    textContent: mail.text,
    htmlContent: mail.html,
    // Brevo drops a second request with the same key (a UUID) within its TTL:
    // https://developers.brevo.com/docs/heterogenous-versions-batch-emails
    headers: { idempotencyKey: mail.idempotencyKey },
  }
}

export function createHttpMailer(options: {
  apiUrl: string
  apiKey: string
  timeoutMs: number
}): Mailer {
  return {
    async send(mail): Promise<SendResult> {
      let response: Response
      try {
        response = await fetch(options.apiUrl, {
          method: 'POST',
          headers: {
            'api-key': options.apiKey,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify(brevoRequestBody(mail)),
          signal: AbortSignal.timeout(options.timeoutMs),
          // A redirect would carry the API key elsewhere: never followed, counted as a failure.
          redirect: 'manual',
        })
      } catch (error) {
        const reason =
          error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network error'
        return { ok: false, retryable: true, reason }
      }
      // Drain the body so the connection is released; its content is never logged (it may echo the mail).
      await response.body?.cancel()
      if (response.ok) return { ok: true }
      const reason = `HTTP ${response.status}`
      if (response.status >= 300 && response.status < 400) {
        return { ok: false, retryable: false, reason: `${reason} (redirect not followed)` }
      }
      // Brevo answers 429 past its rate and 402 when the account has no credits left: both pass.
      if (response.status === 429 || response.status === 402) {
        return { ok: false, retryable: true, reason, quota: true }
      }
      // Brevo answers 401 for a wrong key, and for a right one once it blocks "unknown IP addresses"
      // (turned on by itself for a key that saw no new IP for 30 days; Workers have no fixed IP).
      if (response.status === 401) return { ok: false, retryable: true, reason, keyRefused: true }
      return { ok: false, retryable: response.status >= 500, reason }
    },
  }
}
