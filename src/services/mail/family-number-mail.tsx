import { composeMail, line, paragraph, type Section } from './blocks'
import { greeting, loginLine, type MailContent, type Recipient } from './templates'

export const FAMILY_NUMBER_SUBJECT = 'Votre numéro de famille'

const fullName = (family: Recipient) => `${family.lastName} ${family.firstName}`

/**
 * docs/family-number-recovery.md: the numbers, the way back, nothing else personal, no password. One family reads the
 * seed's « À NOM Prénom »; an address shared by several families gets each name with its number, and
 * past the listed ones, whom to call for the others.
 */
export async function familyNumberMail(input: {
  families: Recipient[]
  // Families registered with the address but left out of the mail.
  unlisted: number
  contactText: string
  loginUrl: string
  portalName: string
}): Promise<MailContent> {
  const { families, unlisted, loginUrl } = input
  const [only] = families.length === 1 && unlisted === 0 ? families : []
  const total = families.length + unlisted
  const intro = 'Vous avez demandé votre numéro de famille, votre identifiant de connexion.'
  const shared = only
    ? null
    : `Cette adresse e-mail est enregistrée pour ${total} familles. ${unlisted === 0 ? 'Voici le numéro de chacune :' : `Voici le numéro des ${families.length} premières :`}`
  const others =
    unlisted === 0
      ? null
      : `Un e-mail ne donne pas plus de ${families.length} numéros. Pour connaître le numéro ${unlisted === 1 ? "de l'autre famille" : `des ${unlisted} autres familles`}, adressez-vous à la mairie. ${input.contactText}`
  const which = only ? 'avec ce numéro' : 'avec le numéro de la famille concernée'
  const forgotten = `Si vous n'avez pas de mot de passe ou l'avez perdu, choisissez « Mot de passe oublié » sur cette page ${which}.`
  const ignore = "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."

  const sections: Array<Section | null> = [
    [only ? greeting(only) : paragraph(line('Bonjour,'))],
    [paragraph(line(intro)), ...(shared ? [paragraph(line(shared))] : [])],
    [
      {
        list: families.map((family) => ({
          name: only ? undefined : fullName(family),
          line: loginLine(family.familyNumber),
        })),
        spaced: true,
      },
    ],
    others ? [paragraph(line(others))] : null,
    [
      paragraph(line({ link: "L'adresse de départ", href: loginUrl })),
      paragraph(line(forgotten)),
      paragraph(line(ignore)),
    ],
    [paragraph(line(input.portalName))],
  ]
  return composeMail(
    FAMILY_NUMBER_SUBJECT,
    sections.filter((section) => section !== null),
  )
}
