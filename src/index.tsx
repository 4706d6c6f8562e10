import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { routePath } from 'hono/route'
import type { AppEnv, Bindings } from './env'
import { runScheduled } from './scheduled'
import { render } from './http/respond'
import { burstLimit } from './middleware/burst-limit'
import { requestContext } from './middleware/context'
import { requestLog } from './middleware/request-log'
import {
  franceConnectFormAction,
  noStore,
  sameOriginOnly,
  securityHeaders,
} from './middleware/security'
import { confineRestrictedSessions, loadSession } from './middleware/session'
import { agents } from './routes/agents'
import { changePasswordRoute } from './routes/change-password'
import { devMail } from './routes/dev-mail'
import { familySpace } from './routes/family-space'
import { forgotNumber } from './routes/forgot-number'
import { accessibility, legalNotice, personalData } from './routes/public-service'
import { forgotPassword } from './routes/forgot-password'
import { healthz } from './routes/healthz'
import { home } from './routes/home'
import { login } from './routes/login'
import { logout } from './routes/logout'
import { franceConnect } from './routes/franceconnect'
import { franceConnectLinks } from './routes/franceconnect-links'
import { passkeySignIn } from './routes/passkey-sign-in'
import { passkeys } from './routes/passkeys'
import { logJson, safeErrorReason } from './services/logging'
import { errorStep, isErrorStatus, type ErrorStatus } from './views/error'
import { UNAVAILABLE_PAGE } from './views/standalone'
import { PATHS } from './paths'

// A form of this app is a few hundred bytes; anything far larger is not one.
const MAX_BODY_BYTES = 64 * 1024

const app = new Hono<AppEnv>()

app.use(requestLog, securityHeaders, noStore, requestContext, franceConnectFormAction)
app.use(sameOriginOnly, burstLimit)
app.use(
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HTTPException(413)
    },
  }),
)
app.use(loadSession, confineRestrictedSessions)

app.route(PATHS.home, home)
app.route(PATHS.signIn, login)
app.route(PATHS.forgotPassword, forgotPassword)
app.route(PATHS.forgotNumber, forgotNumber)
app.route(PATHS.accessibility, accessibility)
app.route(PATHS.personalData, personalData)
app.route(PATHS.legalNotice, legalNotice)
app.route(PATHS.newPassword, changePasswordRoute)
app.route(PATHS.familySpace, familySpace)
app.route(PATHS.passkeySignIn, passkeySignIn)
app.route(PATHS.passkeys, passkeys)
app.route(PATHS.franceConnect, franceConnect)
app.route(PATHS.franceConnectLinks, franceConnectLinks)
app.route(PATHS.signOut, logout)
app.route(PATHS.agents, agents)
app.route(PATHS.dev, devMail)
app.route(PATHS.healthz, healthz)

const errorPage = (c: Context<AppEnv>, status: ErrorStatus) => render(c, errorStep(status))

app.notFound((c) => errorPage(c, 404))

// One place for the unexpected: a generic French page, never a stack trace (ASVS 5.0 V16.5.1).
app.onError((error, c) => {
  if (error instanceof HTTPException && isErrorStatus(error.status) && error.status < 500) {
    return errorPage(c, error.status)
  }
  // The route's pattern, never the path: /agents/familles/:number, not a family's number.
  logJson('error', 'unhandled_error', { route: routePath(c, -1), reason: safeErrorReason(error) })
  // Before the request context exists there is no config to render a page with.
  if (!c.var.config) return c.html(UNAVAILABLE_PAGE, 503)
  const storage = /D1|SQLITE|Failed query/i.test(`${error.message} ${String(error.cause ?? '')}`)
  return errorPage(c, storage ? 503 : 500)
})

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime))
  },
} satisfies ExportedHandler<Bindings>
