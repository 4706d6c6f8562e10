import { composeMail, line, paragraph, type MailContent } from './blocks'

// The mails' words follow the seed line by line (docs/recovery-flow.md), written once (./blocks.tsx renders
// the text part and the HTML part from them).
export type { MailContent }

export type Recipient = { lastName: string; firstName: string; familyNumber: string }

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})

export const TEMPORARY_PASSWORD_SUBJECT = 'Envoi de vos identifiants de connexion'
export const PASSWORD_CHANGED_SUBJECT = 'Votre mot de passe a été modifié'

/** The seed's greeting: « À NOM Prénom », the name in bold in HTML. */
export const greeting = (family: Recipient) =>
  paragraph(line('À ', { strong: `${family.lastName} ${family.firstName}` }))

export const loginLine = (familyNumber: string) => line(`Login : ${familyNumber}`)

export async function temporaryPasswordMail(input: {
  family: Recipient
  temporaryPassword: string
  expiresAt: number
  ttlMinutes: number
  loginUrl: string
  portalName: string
}): Promise<MailContent> {
  const { family, temporaryPassword, loginUrl } = input
  const expiry = parisTime.format(new Date(input.expiresAt))
  return composeMail(TEMPORARY_PASSWORD_SUBJECT, [
    [greeting(family)],
    [
      {
        emphasis: [
          line('Vous avez perdu vos identifiants de connexion.'),
          line('Nous vous envoyons un nouveau mot de passe temporaire.'),
        ],
      },
    ],
    [
      {
        list: [
          { line: loginLine(family.familyNumber) },
          { line: line('Mot de passe : ', { code: temporaryPassword }) },
        ],
      },
    ],
    [
      paragraph(
        line('Ce mot de passe est à modifier lors de votre première connexion.'),
        line({ link: "L'adresse de départ", href: loginUrl }),
      ),
    ],
    [
      paragraph(
        line(
          `Ce mot de passe temporaire est valable ${input.ttlMinutes} minutes, jusqu'au ${expiry}.`,
        ),
      ),
      paragraph(
        line(
          "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.",
        ),
      ),
    ],
    [paragraph(line(input.portalName))],
  ])
}

export async function passwordChangedMail(input: {
  family: Recipient
  changedAt: number
  loginUrl: string
  portalName: string
  contactText: string
  // The family also asked to remove its passkeys (docs/passkeys.md).
  passkeysRemoved?: boolean
}): Promise<MailContent> {
  const { family } = input
  const when = parisTime.format(new Date(input.changedAt))
  const passkeys = input.passkeysRemoved
    ? [paragraph(line("Comme demandé, les clés d'accès de votre espace ont été supprimées."))]
    : []
  return composeMail(PASSWORD_CHANGED_SUBJECT, [
    [greeting(family)],
    [
      paragraph(
        line(
          `Le mot de passe de votre espace famille (Login : ${family.familyNumber}) a été modifié le ${when}.`,
        ),
      ),
      ...passkeys,
      paragraph(line("Si vous êtes à l'origine de ce changement, vous n'avez rien à faire.")),
      paragraph(
        line(
          "Si ce n'est pas vous, demandez sans attendre un nouveau mot de passe sur ",
          { link: 'la page de connexion', href: input.loginUrl, shown: 'url' },
          ` (lien « Mot de passe oublié ») et prévenez-nous. ${input.contactText}`,
        ),
      ),
    ],
    [paragraph(line(input.portalName))],
  ])
}
