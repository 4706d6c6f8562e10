import { composeMail, line, paragraph } from './blocks'
import { greeting, type MailContent, type Recipient } from './templates'

// docs/passkeys.md: each passkey added or removed is told to the family's address, so a family learns
// of a passkey it did not make (someone with its password, on a device it does not hold).
export const PASSKEY_ADDED_SUBJECT = "Une clé d'accès a été ajoutée à votre espace famille"
export const PASSKEY_REMOVED_SUBJECT = "Une clé d'accès a été supprimée de votre espace famille"

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})

export async function passkeyMail(input: {
  change: 'added' | 'removed'
  family: Recipient
  // The passkeys' names, as the family space lists them.
  names: string[]
  // Who removed it, when not the family from its space: « un agent de la mairie », a password change.
  by?: string
  at: number
  loginUrl: string
  portalName: string
  contactText: string
}): Promise<MailContent> {
  const { family, names } = input
  const when = parisTime.format(new Date(input.at))
  const listed = names.map((name) => `« ${name} »`).join(', ')
  const added = input.change === 'added'
  const what = added
    ? `Une clé d'accès (${listed}) a été ajoutée à votre espace famille (Login : ${family.familyNumber}) le ${when}. Elle permet de se connecter avec l'empreinte, le visage ou le code de verrouillage de l'appareil qui la garde.`
    : `${names.length > 1 ? `Vos clés d'accès (${listed}) ont été supprimées` : `Votre clé d'accès ${listed} a été supprimée`} de votre espace famille (Login : ${family.familyNumber}) le ${when}${input.by ? `, ${input.by}` : ''}. Votre mot de passe fonctionne toujours.`
  return composeMail(added ? PASSKEY_ADDED_SUBJECT : PASSKEY_REMOVED_SUBJECT, [
    [greeting(family)],
    [
      paragraph(line(what)),
      paragraph(line("Si vous êtes à l'origine de ce changement, vous n'avez rien à faire.")),
      paragraph(
        line(
          added
            ? "Si ce n'est pas vous, connectez-vous sur "
            : "Si ce n'est pas vous, changez votre mot de passe sur ",
          { link: 'la page de connexion', href: input.loginUrl, shown: 'url' },
          added
            ? ` et supprimez cette clé dans votre espace, puis changez votre mot de passe. ${input.contactText}`
            : ` (lien « Mot de passe oublié » au besoin). ${input.contactText}`,
        ),
      ),
    ],
    [paragraph(line(input.portalName))],
  ])
}
