import { composeMail, line, paragraph } from './blocks'
import { greeting, loginLine, type MailContent, type Recipient } from './templates'

// docs/franceconnect.md: the linking code, and a notice for every identity linked or unlinked (an adult
// of the family, or someone who should not be there).
export const FRANCECONNECT_CODE_SUBJECT = 'Votre code pour relier FranceConnect'
export const FRANCECONNECT_LINKED_SUBJECT = 'FranceConnect a été relié à votre espace famille'
export const FRANCECONNECT_UNLINKED_SUBJECT =
  "FranceConnect n'est plus relié à votre espace famille"

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})

export async function franceConnectCodeMail(input: {
  family: Recipient
  code: string
  // Who asked, as FranceConnect named them: the family knows whether it is one of its adults.
  requestedBy: { givenName: string; familyName: string }
  expiresAt: number
  portalName: string
}): Promise<MailContent> {
  const who = `${input.requestedBy.givenName} ${input.requestedBy.familyName}`
  const until = parisTime.format(new Date(input.expiresAt))
  return composeMail(FRANCECONNECT_CODE_SUBJECT, [
    [greeting(input.family)],
    [
      paragraph(
        line(
          `${who}, identifié(e) avec FranceConnect, demande à relier cette identité à votre espace famille.`,
        ),
      ),
      {
        list: [
          { line: loginLine(input.family.familyNumber) },
          { line: line('Code : ', { code: input.code }) },
        ],
      },
      paragraph(line(`Ce code est valable jusqu'au ${until}, pour une seule liaison.`)),
      paragraph(
        line(
          `Si ${who} n'est pas un adulte de votre famille, ne communiquez ce code à personne, même à quelqu'un qui vous le demande : sans lui, rien n'est relié.`,
        ),
      ),
    ],
    [paragraph(line(input.portalName))],
  ])
}

export async function franceConnectLinkMail(input: {
  change: 'linked' | 'unlinked'
  family: Recipient
  adult: { givenName: string; familyName: string }
  at: number
  by?: string
  loginUrl: string
  portalName: string
  contactText: string
}): Promise<MailContent> {
  const when = parisTime.format(new Date(input.at))
  const who = `${input.adult.givenName} ${input.adult.familyName}`
  const linked = input.change === 'linked'
  return composeMail(linked ? FRANCECONNECT_LINKED_SUBJECT : FRANCECONNECT_UNLINKED_SUBJECT, [
    [greeting(input.family)],
    [
      paragraph(
        line(
          linked
            ? `L'identité FranceConnect de ${who} a été reliée à votre espace famille (Login : ${input.family.familyNumber}) le ${when} : cette personne peut désormais s'y connecter avec FranceConnect.`
            : `L'identité FranceConnect de ${who} a été déliée de votre espace famille (Login : ${input.family.familyNumber}) le ${when}${input.by ? `, ${input.by}` : ''}.`,
        ),
      ),
      paragraph(line("Si vous êtes à l'origine de ce changement, vous n'avez rien à faire.")),
      paragraph(
        line(
          "Si ce n'est pas vous, connectez-vous sur ",
          { link: 'la page de connexion', href: input.loginUrl, shown: 'url' },
          linked
            ? ` et déliez cette identité dans votre espace, puis changez votre mot de passe. ${input.contactText}`
            : `. ${input.contactText}`,
        ),
      ),
    ],
    [paragraph(line(input.portalName))],
  ])
}
