import type { Config } from '../config'
import { inDays, RETENTION } from '../services/retention'
import { Card } from './components'

// The pages French law requires of a public-sector website (docs/public-service-pages.md), filled from configuration.
export const ACCESSIBILITY_TITLE = 'Déclaration d’accessibilité'
export const PERSONAL_DATA_TITLE = 'Données personnelles'
export const LEGAL_NOTICE_TITLE = 'Mentions légales'

const HOST = 'Cloudflare, Inc., 101 Townsend Street, San Francisco, CA 94107, États-Unis'
const DEFENSEUR_DES_DROITS = 'Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07'
const CNIL = 'CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris CEDEX 07 (www.cnil.fr)'

const longDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' })
const days = (ms: number) => {
  const count = inDays(ms)
  return `${count} jour${count > 1 ? 's' : ''}`
}

/** RGAA 4.1 statement model (décret n° 2019-768): status, tests, exceptions, contact, recourse. */
export function AccessibilityStatement({ config }: { config: Config }) {
  const { publicService: site } = config
  const audit = site.accessibilityAuditDate
  return (
    <Card title={ACCESSIBILITY_TITLE} prose>
      <p>
        {site.communeName} s’engage à rendre ses services en ligne accessibles, conformément à
        l’article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s’applique au{' '}
        {config.portalName} ({config.publicUrl}).
      </p>
      <h2>État de conformité</h2>
      <p>
        Le {config.portalName} est <strong>{site.accessibilityStatus}</strong> avec le référentiel
        général d’amélioration de l’accessibilité (RGAA), version 4.1.
      </p>
      <h2>Résultats des tests</h2>
      <p>
        {audit
          ? `Audit de conformité au RGAA 4.1 réalisé le ${longDate.format(new Date(audit))}.`
          : 'Aucun audit de conformité n’a encore été réalisé.'}{' '}
        Chaque page et chaque message d’erreur sont vérifiés automatiquement (axe-core, WCAG 2.1
        niveaux A et AA), sur un écran de 320 pixels de large et au clavier seul.
      </p>
      {/* Met whatever the audit: a test fails the build the day it no longer is. */}
      <p>Critère du RGAA respecté, vérifié automatiquement à chaque version :</p>
      <ul>
        <li>
          8.2 : le code source de chaque page et de chaque message d’erreur est valide selon le type
          de document (HTML), contrôlé par html-validate.
        </li>
      </ul>
      <h2>Contenus non accessibles</h2>
      <p>
        {audit
          ? 'Aucun contenu non accessible n’a été relevé lors de l’audit.'
          : 'Faute d’audit, des contenus non accessibles peuvent exister sans être encore connus.'}
      </p>
      <h2>Retour d’information et contact</h2>
      <p>
        Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez-nous pour être
        orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.{' '}
        {config.contactText}
      </p>
      <h2>Voies de recours</h2>
      <p>
        Si vous nous avez signalé un défaut d’accessibilité qui vous empêche d’accéder à un contenu
        ou à un service et que vous n’avez pas obtenu de réponse satisfaisante, vous pouvez saisir
        le Défenseur des droits : par le formulaire en ligne de defenseurdesdroits.fr, auprès d’un
        de ses délégués dans votre région, ou par courrier gratuit, sans timbre :{' '}
        {DEFENSEUR_DES_DROITS}.
      </p>
    </Card>
  )
}

/** RGPD art. 13: who, why, what, on what basis, how long, to whom, the rights and how to use them. */
export function PersonalDataNotice({ config }: { config: Config }) {
  const { publicService: site } = config
  const mailer =
    config.mail.provider === 'cloudflare'
      ? 'Cloudflare Email Service (Cloudflare, Inc.)'
      : 'Brevo (Sendinblue SAS, 106 boulevard Haussmann, 75008 Paris)'
  return (
    <Card title={PERSONAL_DATA_TITLE} prose>
      <h2>Responsable du traitement</h2>
      <p>
        {site.communeName}, {site.publisherAddress}.
      </p>
      <h2>Finalité et base légale</h2>
      <p>
        Vous permettre d’accéder à votre espace famille (restauration scolaire, accueils de loisirs
        et périscolaires) et d’en retrouver l’accès. Ce traitement est nécessaire à l’exécution de
        la mission de service public de la commune (RGPD, article 6.1.e).
      </p>
      <h2>Données traitées</h2>
      <ul>
        <li>votre numéro de famille, votre nom et votre prénom, votre adresse e-mail ;</li>
        <li>
          votre mot de passe, conservé seulement sous une forme chiffrée irréversible (scrypt) ;
        </li>
        <li>
          les connexions et demandes de mot de passe (date, résultat), avec l’adresse réseau de
          l’appareil conservée seulement sous une forme chiffrée par une clé secrète ;
        </li>
        <li>
          si vous créez une clé d’accès : sa clé publique, le nom que vous lui donnez, ses dates de
          création et de dernière utilisation (votre empreinte, votre visage ou votre code ne
          quittent jamais votre appareil) ;
        </li>
        <li>
          si un adulte relie son identité FranceConnect : l’identifiant que FranceConnect attribue à
          cette personne pour ce service, ses prénoms et son nom, la date de liaison (rien d’autre
          de FranceConnect n’est conservé).
        </li>
      </ul>
      <h2>Durées de conservation</h2>
      <ul>
        <li>
          session de connexion : {config.session.idleMs / 60_000} minutes sans activité,{' '}
          {config.session.absoluteMs / 3_600_000} heures au plus ;
        </li>
        <li>
          mot de passe temporaire : {config.temporaryPasswordTtlMs / 60_000} minutes, supprimé
          ensuite ;
        </li>
        <li>journal des connexions et des demandes : {days(RETENTION.securityEventsMs)} ;</li>
        <li>
          e-mails envoyés (destinataire, objet, état d’envoi ; jamais un mot de passe une fois
          envoyé) : {days(RETENTION.finishedMailsMs)} ;
        </li>
        <li>
          compteurs de tentatives : {days(RETENTION.attemptCountersMs)} sans nouvelle tentative ;
        </li>
        <li>clé d’accès : jusqu’à ce que vous la supprimiez, ou avec votre compte famille ;</li>
        <li>
          liaison FranceConnect : jusqu’à ce qu’elle soit déliée, ou avec votre compte famille.
        </li>
      </ul>
      <p>
        Votre compte famille lui-même est conservé tant que la commune gère votre dossier. Quand
        votre famille ne figure plus dans le fichier de la commune, votre accès est fermé ; il est
        supprimé {days(RETENTION.closedFamilyMs)} après, avec tout ce qui s’y rattache.
      </p>
      <h2>Destinataires</h2>
      <p>
        Les agents habilités de la commune ; l’hébergeur du service, {HOST} ; le prestataire d’envoi
        des e-mails, {mailer}.
      </p>
      <h2>Cookies</h2>
      <p>
        Seuls des cookies strictement nécessaires au service sont déposés ; ils ne demandent donc
        pas de consentement :
      </p>
      <ul>
        <li>
          <code>__Host-session</code> : vous garde connecté ; effacé à la fermeture du navigateur ou
          à la déconnexion ;
        </li>
        <li>
          <code>__Host-device</code> : reconnaît un appareil où vous vous êtes déjà connecté, pour
          qu’un tiers ne puisse pas vous bloquer l’accès ; {days(RETENTION.deviceCookieMs)} ;
        </li>
        <li>
          <code>__Host-flash</code> : affiche une seule fois le message « mot de passe enregistré »
          ; 5 minutes au plus.
        </li>
      </ul>
      <h2>Vos droits</h2>
      <p>
        Vous pouvez accéder à vos données, les faire rectifier, demander la limitation de leur
        traitement ou vous y opposer. Pour exercer ces droits, écrivez au délégué à la protection
        des données de la commune : {site.dpoContact}.
      </p>
      <p>
        Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous
        pouvez adresser une réclamation à la {CNIL}.
      </p>
    </Card>
  )
}

/** LCEN art. 6: publisher, publication director, host. */
export function LegalNotice({ config }: { config: Config }) {
  const { publicService: site } = config
  return (
    <Card title={LEGAL_NOTICE_TITLE} prose>
      <h2>Éditeur</h2>
      <p>
        {site.communeName}, {site.publisherAddress}.
      </p>
      <h2>Directeur ou directrice de la publication</h2>
      <p>{site.publicationDirector}</p>
      <h2>Hébergement</h2>
      <p>{HOST}.</p>
      <h2>Contact</h2>
      <p>{config.contactText}</p>
    </Card>
  )
}

export const accessibilityStep = (config: Config) => ({
  title: ACCESSIBILITY_TITLE,
  body: <AccessibilityStatement config={config} />,
})

export const personalDataStep = (config: Config) => ({
  title: PERSONAL_DATA_TITLE,
  body: <PersonalDataNotice config={config} />,
})

export const legalNoticeStep = (config: Config) => ({
  title: LEGAL_NOTICE_TITLE,
  body: <LegalNotice config={config} />,
})
