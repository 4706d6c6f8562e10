import type { Context } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { textField } from '../http/form'
import { deliverInBackground } from '../http/mail'
import {
  endFamilySessions,
  forgetFamilyDevices,
  liftFamilyLimits,
  recordAgentOutcome,
  requeueFailedNotice,
  voidFamilyTemporaryPassword,
  type ActingAgent,
  type FamilyOverview,
} from '../services/flows/agents'
import { unlinkFranceConnect } from '../services/flows/franceconnect'
import { removePasskey } from '../services/flows/passkeys'
import { issueTemporaryPassword } from '../services/flows/password-recovery'
import { agentMailLimited, retryAfterMinutes } from '../services/limits'
import type { AgentAction } from '../paths'
import type { PendingAction } from '../views/agents-family'
import type { ActionTarget } from '../views/agents-shared'

// What each of a family's actions asks before it acts, and what it does (docs/agents-console.md). The
// question names what will change, from what the page shows (« Fermer les 2 sessions de MARTIN
// Claire ? »); the answer, once confirmed, says what changed, and the journal keeps it with the agent.

type Acting = { c: Context<AppEnv>; overview: FamilyOverview; by: ActingAgent; now: number }

type FamilyAction<T extends ActionTarget> = {
  // The form's fields that name what it acts on (a passkey, a link, a mail); none for the family's.
  target: z.ZodMiniType<T>
  // The question to confirm, or a notice when there is nothing to act on any more.
  ask: (overview: FamilyOverview, target: T) => Omit<PendingAction, 'action' | 'target'> | string
  act: (acting: Acting, target: T) => Promise<string>
}

// Each action's target type, kept inside its own definition.
const defined = <T extends ActionTarget>(spec: FamilyAction<T>) =>
  spec as unknown as FamilyAction<ActionTarget>

/** An action that changed nothing: journalled with why, and the agent told. */
async function refused(
  { c, overview, by }: Acting,
  action: AgentAction,
  outcome: string,
  notice: string,
): Promise<string> {
  await recordAgentOutcome(c.var.db, { familyId: overview.family.id, action, outcome }, by)
  return notice
}

const none = z.object({})
const positiveId = z.pipe(z.pipe(textField(), z.transform(Number)), z.int().check(z.positive()))

const CLOSED =
  'L’accès de cette famille est fermé (absente du dernier import de la commune) : elle ne peut pas se connecter. Il sera rouvert par un import qui la contient.'
const who = ({ family }: FamilyOverview) => `${family.lastName} ${family.firstName}`
const some = (count: number, one: string, many: string) =>
  count === 1 ? one : `les ${count} ${many}`

const ACTIONS: { [A in AgentAction]: FamilyAction<ActionTarget> } = {
  sendTemporaryPassword: defined({
    target: none,
    ask: (overview) => {
      if (!overview.family.email) return 'Cette famille n’a pas d’adresse e-mail.'
      if (overview.family.closedAt !== null) return CLOSED
      return {
        question: `Envoyer un mot de passe temporaire à ${overview.family.email} pour ${who(overview)} ?`,
        detail:
          'Il sera valable une heure, remplacera celui en cours s’il y en a un, et vous ne le verrez pas.',
      }
    },
    async act(acting) {
      const { c, overview, by, now } = acting
      const { db, config } = c.var
      const { family } = overview
      const { email } = family
      const refuse = (outcome: string, notice: string) =>
        refused(acting, 'sendTemporaryPassword', outcome, notice)
      if (!email)
        return refuse('refusé : aucune adresse', 'Cette famille n’a pas d’adresse e-mail.')
      if (family.closedAt !== null) {
        return refuse('refusé : accès fermé', CLOSED)
      }
      const limited = await agentMailLimited(db, family.familyNumber, c.var.clientKey, now)
      if (limited) {
        const minutes = retryAfterMinutes(limited.retryAfterMs)
        return refuse(
          'refusé : trois envois dans l’heure',
          `Trois mots de passe temporaires ont déjà été envoyés à cette famille dans l’heure : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`,
        )
      }
      // The same service and outbox as the public flow, inside the hourly budget (a trusted request:
      // it goes first); the agent never sees the password. Issued and journalled before the answer;
      // only the mail leaves after it.
      const mailId = await issueTemporaryPassword(
        db,
        config,
        { ...family, email },
        {
          clientKey: null,
          agent: by.agent,
          detail: `envoyé à ${email}`,
          mail: { inBudget: true, priority: 1 },
        },
        now,
      )
      deliverInBackground(c, async () => mailId)
      return `Un mot de passe temporaire part vers ${email} ; il est valable ${config.temporaryPasswordTtlMs / 60_000} minutes.`
    },
  }),
  endSessions: defined({
    target: none,
    ask: (overview) => ({
      question: `Fermer ${overview.liveSessions === 0 ? 'les sessions' : some(overview.liveSessions, 'la session', 'sessions')} de ${who(overview)} ?`,
      detail: overview.temporaryPassword
        ? 'Le mot de passe temporaire en cours sera aussi annulé ; la famille devra se reconnecter.'
        : overview.liveSessions === 0
          ? 'Aucune session n’est ouverte en ce moment.'
          : 'La famille devra se reconnecter sur chacun de ses appareils.',
    }),
    async act({ c, overview, by, now }) {
      const { ended, temporaryPasswordVoided } = await endFamilySessions(
        c.var.db,
        overview.family.id,
        by,
        now,
      )
      return `${ended} session(s) fermée(s)${temporaryPasswordVoided ? ' ; le mot de passe temporaire en cours est annulé' : ''}.`
    },
  }),
  voidTemporaryPassword: defined({
    target: none,
    ask: (overview) => ({
      question: `Annuler le mot de passe temporaire de ${who(overview)} ?`,
      detail: overview.temporaryPassword
        ? 'Il ne permettra plus de se connecter.'
        : 'Aucun mot de passe temporaire n’est en cours.',
    }),
    async act({ c, overview, by, now }) {
      const voided = await voidFamilyTemporaryPassword(c.var.db, overview.family.id, by, now)
      return voided
        ? 'Le mot de passe temporaire est annulé : il ne permet plus de se connecter.'
        : 'Cette famille n’avait pas de mot de passe temporaire.'
    },
  }),
  liftLimits: defined({
    target: none,
    ask: (overview) => ({
      question: `Lever les limites du numéro de ${who(overview)} ?`,
      detail:
        overview.limits.length === 0
          ? 'Aucune limite n’est en cours sur ce numéro.'
          : 'Elle pourra de nouveau se connecter de partout ; les limites des réseaux restent les leurs.',
    }),
    async act({ c, overview, by }) {
      await liftFamilyLimits(c.var.db, overview.family, by)
      return 'Les limites de ce numéro sont levées.'
    },
  }),
  forgetDevices: defined({
    target: none,
    ask: (overview) =>
      overview.devices.length === 0
        ? 'Cette famille n’a aucun appareil de confiance.'
        : {
            question: `Oublier ${some(overview.devices.length, 'l’appareil de confiance', 'appareils de confiance')} de ${who(overview)} ?`,
            detail: 'Ils compteront comme des appareils inconnus à leur prochaine connexion.',
          },
    async act({ c, overview, by }) {
      const forgotten = await forgetFamilyDevices(c.var.db, overview.family.id, by)
      return `${forgotten} appareil(s) oublié(s) : ils devront se reconnecter comme des appareils inconnus.`
    },
  }),
  removePasskey: defined({
    target: z.object({ passkey: textField() }),
    ask(overview, { passkey }) {
      const found = overview.passkeys.find(({ id }) => id === passkey)
      if (!found) return 'Cette clé d’accès n’existe plus.'
      return {
        question: `Supprimer la clé d’accès « ${found.name} » de ${who(overview)} ?`,
        detail:
          'Les sessions ouvertes avec elle seront fermées, et la famille en sera avertie par e-mail.',
      }
    },
    async act(acting, { passkey }) {
      const { c, overview, by, now } = acting
      const { family } = overview
      const removed = await removePasskey(
        c.var.db,
        c.var.config,
        { family, credentialId: passkey, clientKey: null, agent: by.agent },
        now,
      )
      if (!removed) {
        return refused(
          acting,
          'removePasskey',
          'déjà supprimée',
          'Cette clé d’accès n’existe plus.',
        )
      }
      deliverInBackground(c, async () => removed.mailId)
      return `La clé d’accès « ${removed.name} » est supprimée ; la famille en est avertie par e-mail.`
    },
  }),
  unlinkFranceConnect: defined({
    target: z.object({ link: positiveId }),
    ask(overview, { link }) {
      const found = overview.franceConnectLinks.find(({ id }) => id === link)
      if (!found) return 'Cette identité FranceConnect n’est plus reliée.'
      return {
        question: `Délier FranceConnect de ${found.givenName} ${found.familyName} pour ${who(overview)} ?`,
        detail:
          'Ses sessions ouvertes par FranceConnect seront fermées, et la famille en sera avertie par e-mail.',
      }
    },
    async act(acting, { link }) {
      const { c, overview, by, now } = acting
      const { family } = overview
      const unlinked = await unlinkFranceConnect(
        c.var.db,
        c.var.config,
        { family, linkId: link, clientKey: null, agent: by.agent },
        now,
      )
      if (!unlinked) {
        return refused(
          acting,
          'unlinkFranceConnect',
          'déjà délié',
          'Cette identité FranceConnect n’est plus reliée.',
        )
      }
      deliverInBackground(c, async () => unlinked.mailId)
      return `FranceConnect de ${unlinked.adult.givenName} ${unlinked.adult.familyName} est délié ; la famille en est avertie par e-mail.`
    },
  }),
  resendNotice: defined({
    target: z.object({ mail: positiveId }),
    ask: (overview) => ({
      question: `Renvoyer l’avis de changement de mot de passe à ${who(overview)} ?`,
      detail: 'Il repartira au prochain passage du cron, à l’adresse de la famille.',
    }),
    async act({ c, overview, by, now }, { mail }) {
      const requeued = await requeueFailedNotice(
        c.var.db,
        { familyId: overview.family.id, mailId: mail },
        by,
        now,
      )
      return requeued
        ? 'L’avis de changement de mot de passe est remis en file ; le prochain passage du cron l’enverra.'
        : 'Cet avis ne peut pas être renvoyé (il n’est pas en échec, ou son contenu a expiré).'
    },
  }),
}

export const isAgentAction = (action: string): action is AgentAction =>
  Object.hasOwn(ACTIONS, action)

/**
 * One of a family's actions, posted: without `confirmation=oui`, the question to confirm; with it,
 * the action and its notice. A target that is not one (a passkey id of another family, a mail id that
 * is not a number) gets the notice that it is gone, never a 500.
 */
export async function runFamilyAction(
  acting: Acting,
  action: AgentAction,
  form: Record<string, unknown>,
): Promise<{ pending: PendingAction } | { notice: string; acted: boolean }> {
  const spec = ACTIONS[action]
  const parsed = spec.target.safeParse(form)
  const target = parsed.success ? parsed.data : null
  if (!target) {
    return { notice: 'Ce que vous avez choisi n’existe plus : la page est à jour.', acted: false }
  }
  if (form.confirmation !== 'oui') {
    const asked = spec.ask(acting.overview, target)
    if (typeof asked === 'string') return { notice: asked, acted: false }
    return { pending: { action, target, ...asked } }
  }
  return { notice: await spec.act(acting, target), acted: true }
}
