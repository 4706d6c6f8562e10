import { htmlDocument, type MailContent, type Recipient } from './templates'

export const FAMILY_NUMBER_SUBJECT = 'Votre numéro de famille'

/** PRODUCT.md §9: the number, the way back, nothing else personal, no password. */
export async function familyNumberMail(input: {
  family: Recipient
  loginUrl: string
  portalName: string
}): Promise<MailContent> {
  const { family, loginUrl } = input
  const text = [
    `À ${family.lastName} ${family.firstName}`,
    '',
    'Vous avez demandé votre numéro de famille, votre identifiant de connexion.',
    '',
    `- Login : ${family.familyNumber}`,
    '',
    `L'adresse de départ : ${loginUrl}`,
    "Si vous n'avez pas de mot de passe ou l'avez perdu, choisissez « Mot de passe oublié » sur cette page avec ce numéro.",
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
    '',
    input.portalName,
  ].join('\n')
  const html = await htmlDocument(
    FAMILY_NUMBER_SUBJECT,
    <>
      <p>
        À <strong>{`${family.lastName} ${family.firstName}`}</strong>
      </p>
      <p>Vous avez demandé votre numéro de famille, votre identifiant de connexion.</p>
      <ul>
        <li>Login : {family.familyNumber}</li>
      </ul>
      <p>
        <a href={loginUrl}>L'adresse de départ</a>
      </p>
      <p>
        Si vous n'avez pas de mot de passe ou l'avez perdu, choisissez « Mot de passe oublié » sur
        cette page avec ce numéro.
      </p>
      <p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.</p>
      <p>{input.portalName}</p>
    </>,
  )
  return { subject: FAMILY_NUMBER_SUBJECT, text, html }
}
