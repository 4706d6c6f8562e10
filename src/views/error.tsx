import { Card, StepLink } from './components'
import { PATHS } from '../paths'

const ERRORS = {
  403: {
    title: 'Demande refusée',
    message:
      'Cette demande a été refusée car elle ne provient pas de ce site. Rechargez la page et réessayez.',
  },
  404: { title: 'Page introuvable', message: "Cette page n'existe pas." },
  413: {
    title: 'Formulaire trop volumineux',
    message: 'Le formulaire envoyé est trop volumineux.',
  },
  429: {
    title: 'Trop de demandes',
    message: 'Trop de demandes depuis votre connexion. Par sécurité, réessayez dans 1 minute.',
  },
  500: {
    title: 'Erreur',
    message: 'Une erreur inattendue est survenue. Veuillez réessayer dans quelques instants.',
  },
  503: {
    title: 'Service indisponible',
    message: 'Le service est momentanément indisponible. Veuillez réessayer dans quelques minutes.',
  },
} as const

export type ErrorStatus = keyof typeof ERRORS

export const isErrorStatus = (status: number): status is ErrorStatus => status in ERRORS

/** A generic French page: never a stack trace, never a detail of what went wrong. */
export function ErrorPanel({ status }: { status: ErrorStatus }) {
  return (
    <Card title={ERRORS[status].title}>
      <p role="alert">{ERRORS[status].message}</p>
      <p class="links">
        <StepLink href={PATHS.signIn}>Aller à la connexion</StepLink>
      </p>
    </Card>
  )
}

/** The error page (or fragment) with its own status: from app.onError and notFound (src/index.tsx). */
export const errorStep = (status: ErrorStatus) => ({
  title: ERRORS[status].title,
  status,
  body: <ErrorPanel status={status} />,
})
