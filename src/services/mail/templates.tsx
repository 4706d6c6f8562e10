import type { Child } from 'hono/jsx'

// The mails' words follow the seed line by line (docs/recovery-flow.md); user data only ever enters as JSX
// children, so it is escaped in the HTML part.
export type MailContent = { subject: string; text: string; html: string }

export type Recipient = { lastName: string; firstName: string; familyNumber: string }

const parisTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
})

export const TEMPORARY_PASSWORD_SUBJECT = 'Envoi de vos identifiants de connexion'
export const PASSWORD_CHANGED_SUBJECT = 'Votre mot de passe a été modifié'

export async function htmlDocument(subject: string, body: Child): Promise<string> {
  const element = (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <title>{subject}</title>
      </head>
      <body style="font-family: Arial, sans-serif; line-height: 1.5; color: #1b1b1b;">{body}</body>
    </html>
  )
  return `<!DOCTYPE html>${await element.toString()}`
}

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
  const text = [
    `À ${family.lastName} ${family.firstName}`,
    '',
    'Vous avez perdu vos identifiants de connexion.',
    'Nous vous envoyons un nouveau mot de passe temporaire.',
    '',
    `- Login : ${family.familyNumber}`,
    `- Mot de passe : ${temporaryPassword}`,
    '',
    'Ce mot de passe est à modifier lors de votre première connexion.',
    `L'adresse de départ : ${loginUrl}`,
    '',
    `Ce mot de passe temporaire est valable ${input.ttlMinutes} minutes, jusqu'au ${expiry}.`,
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.",
    '',
    input.portalName,
  ].join('\n')
  const html = await htmlDocument(
    TEMPORARY_PASSWORD_SUBJECT,
    <>
      <p>
        À <strong>{`${family.lastName} ${family.firstName}`}</strong>
      </p>
      <p>
        <strong>
          Vous avez perdu vos identifiants de connexion.
          <br />
          Nous vous envoyons un nouveau mot de passe temporaire.
        </strong>
      </p>
      <ul>
        <li>Login : {family.familyNumber}</li>
        <li>
          Mot de passe : <code>{temporaryPassword}</code>
        </li>
      </ul>
      <p>
        Ce mot de passe est à modifier lors de votre première connexion.{' '}
        <a href={loginUrl}>L'adresse de départ</a>
      </p>
      <p>
        Ce mot de passe temporaire est valable {input.ttlMinutes} minutes, jusqu'au {expiry}.
      </p>
      <p>
        Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe
        actuel reste valable.
      </p>
      <p>{input.portalName}</p>
    </>,
  )
  return { subject: TEMPORARY_PASSWORD_SUBJECT, text, html }
}

export async function passwordChangedMail(input: {
  family: Recipient
  changedAt: number
  loginUrl: string
  portalName: string
  contactText: string
}): Promise<MailContent> {
  const { family } = input
  const when = parisTime.format(new Date(input.changedAt))
  const text = [
    `À ${family.lastName} ${family.firstName}`,
    '',
    `Le mot de passe de votre espace famille (Login : ${family.familyNumber}) a été modifié le ${when}.`,
    "Si vous êtes à l'origine de ce changement, vous n'avez rien à faire.",
    `Si ce n'est pas vous, demandez sans attendre un nouveau mot de passe sur ${input.loginUrl} (lien « Mot de passe oublié ») et prévenez-nous. ${input.contactText}`,
    '',
    input.portalName,
  ].join('\n')
  const html = await htmlDocument(
    PASSWORD_CHANGED_SUBJECT,
    <>
      <p>
        À <strong>{`${family.lastName} ${family.firstName}`}</strong>
      </p>
      <p>
        Le mot de passe de votre espace famille (Login : {family.familyNumber}) a été modifié le{' '}
        {when}.
      </p>
      <p>Si vous êtes à l'origine de ce changement, vous n'avez rien à faire.</p>
      <p>
        Si ce n'est pas vous, demandez sans attendre un nouveau mot de passe sur{' '}
        <a href={input.loginUrl}>la page de connexion</a> (lien « Mot de passe oublié ») et
        prévenez-nous. {input.contactText}
      </p>
      <p>{input.portalName}</p>
    </>,
  )
  return { subject: PASSWORD_CHANGED_SUBJECT, text, html }
}
