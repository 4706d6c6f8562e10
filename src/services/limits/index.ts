export { burstAllowed, type BurstLimiters } from './burst'
export { retryAfterMinutes, type Limited } from './counter'
export {
  agentMailLimited,
  countMailSpacing,
  mailRequestLimited,
  takeMailBudget,
  type MailSubject,
} from './mail'
export { logMailBudgetExhausted } from './once-an-hour'
export {
  countSignInAttempt,
  countPasskeyRefusal,
  forgiveSignInStatements,
  signInLimited,
  type SignInClient,
} from './sign-in'
export { deleteStaleAttemptsStatement } from '../records/attempt-counters'
