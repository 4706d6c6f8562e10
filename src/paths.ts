// Every URL of the app, declared once (docs/urls-and-forms.md: URLs are a contract). Routes mount on them,
// views link to them, the session guard lets restricted sessions through to them.
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
  signOut: '/deconnexion',
  agents: '/agents',
  agentsMail: '/agents/courrier',
  dev: '/dev',
  devMails: '/dev/mails',
  devMailsJson: '/dev/mails.json',
  healthz: '/healthz',
} as const

export type AppPath = (typeof PATHS)[keyof typeof PATHS]
