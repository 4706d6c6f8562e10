import { Hono } from 'hono'
import type { AppEnv } from '../env'
import { isLocalDevelopment } from '../http/loopback'
import { render } from '../http/respond'
import { DEV_ROUTES } from '../paths'
import { listNewestMails } from '../services/records/outbox-reads'
import { devMailboxStep } from '../views/dev-mails'

const LISTED = 50

// The development mailbox (docs/urls-and-forms.md): absent, as a plain 404, in any other environment
// and on any address but loopback, whatever the configuration says. One query, read by both views.
export const devMail = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (!isLocalDevelopment(c) || c.var.config.mail.provider !== 'dev') {
      return c.notFound()
    }
    await next()
  })
  .get(DEV_ROUTES.mails, async (c) => {
    const mails = await listNewestMails(c.var.db, LISTED)
    return render(c, devMailboxStep(mails))
  })
  .get(DEV_ROUTES.mailsJson, async (c) => {
    const mails = await listNewestMails(c.var.db, LISTED)
    return c.json(
      mails.map((mail) => ({
        id: mail.id,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        createdAt: new Date(mail.createdAt).toISOString(),
      })),
    )
  })
