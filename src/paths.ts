// Every URL of the app, declared once (docs/urls-and-forms.md: URLs are a contract). Routes mount on them,
// views link to them, the session guard lets restricted sessions through to them.

// The sub-apps' own paths, relative to where they are mounted: their routes use these, and the
// absolute URLs below are built from them.
const AGENTS = '/agents'
const DEV = '/dev'
export const AGENTS_ROUTES = {
  mail: '/courrier',
  journal: '/journal',
  families: '/familles',
  networks: '/reseaux',
} as const
export const DEV_ROUTES = { mails: '/mails', mailsJson: '/mails.json' } as const

export const PATHS = {
  home: '/',
  signIn: '/connexion',
  forgotPassword: '/mot-de-passe-oublie',
  forgotNumber: '/numero-oublie',
  accessibility: '/accessibilite',
  personalData: '/donnees-personnelles',
  legalNotice: '/mentions-legales',
  newPassword: '/nouveau-mot-de-passe',
  familySpace: '/espace',
  // Passkeys (docs/passkeys.md): JavaScript only, so their options are JSON; the rest are form posts.
  passkeySignIn: '/connexion/cle-d-acces',
  passkeySignInOptions: '/connexion/cle-d-acces/defi',
  passkeys: '/espace/cles-d-acces',
  passkeyOptions: '/espace/cles-d-acces/defi',
  passkeyRemoval: '/espace/cles-d-acces/suppression',
  passkeyOfferLater: '/espace/cles-d-acces/plus-tard',
  // FranceConnect (docs/franceconnect.md): plain links and redirects, no JavaScript needed.
  franceConnect: '/franceconnect',
  franceConnectCallback: '/franceconnect/retour',
  franceConnectLink: '/franceconnect/relier',
  franceConnectLinks: '/espace/franceconnect',
  franceConnectUnlink: '/espace/franceconnect/suppression',
  signOut: '/deconnexion',
  agents: AGENTS,
  agentsMail: `${AGENTS}${AGENTS_ROUTES.mail}`,
  agentsJournal: `${AGENTS}${AGENTS_ROUTES.journal}`,
  dev: DEV,
  devMails: `${DEV}${DEV_ROUTES.mails}`,
  devMailsJson: `${DEV}${DEV_ROUTES.mailsJson}`,
  healthz: '/healthz',
} as const

export type AppPath = (typeof PATHS)[keyof typeof PATHS]

/**
 * What an agent can do (docs/agents-console.md), each a POST to its own slug: under a family's page, and
 * `liftLimits` under a network's too. Their French labels live with the buttons (views/agents-*.tsx).
 */
export const AGENT_ACTIONS = {
  sendTemporaryPassword: 'mot-de-passe-temporaire',
  endSessions: 'fin-des-sessions',
  voidTemporaryPassword: 'annulation-mot-de-passe-temporaire',
  liftLimits: 'levee-des-limites',
  forgetDevices: 'oubli-des-appareils',
  removePasskey: 'suppression-cle-d-acces',
  unlinkFranceConnect: 'suppression-franceconnect',
  resendNotice: 'renvoi-avis',
} as const

export type AgentAction = keyof typeof AGENT_ACTIONS
/** What the journal records: a family's actions, and a network's limits lifted. */
export type JournalAction = AgentAction | 'liftNetworkLimits'

export const agentFamilyPath = (familyNumber: string) =>
  `${AGENTS}${AGENTS_ROUTES.families}/${familyNumber}`

export const agentFamilyActionPath = (familyNumber: string, action: AgentAction) =>
  `${agentFamilyPath(familyNumber)}/${AGENT_ACTIONS[action]}`

export const agentNetworkActionPath = (network: string, action: 'liftLimits') =>
  `${AGENTS}${AGENTS_ROUTES.networks}/${network}/${AGENT_ACTIONS[action]}`
