// How long each kind of personal data is kept (GDPR art. 5.1.e, storage limitation), in one place: the
// cron's housekeeping deletes by these figures and /donnees-personnelles states them (RGPD art. 13).
// The figures fixed by configuration (session lifetimes, a temporary password's validity) are read
// from it where they are shown.
const DAY_MS = 24 * 3_600_000

export const RETENTION = {
  // CNIL, "Journalisation" recommendation: security logs six months to a year.
  securityEventsMs: 365 * DAY_MS,
  // Finished mails are kept a month for support ("did the mail go out?"), then forgotten.
  finishedMailsMs: 30 * DAY_MS,
  // A "password changed" notice still worth sending.
  noticeMs: 3 * DAY_MS,
  // « Votre numéro de famille » still worth sending.
  familyNumberMailMs: DAY_MS,
  // Attempt counters of a key that stayed out of trouble (limits/).
  attemptCountersMs: DAY_MS,
  // The device cookie (devices.ts).
  deviceCookieMs: 365 * DAY_MS,
  // A family the commune's export no longer lists (closed by `families:import --close-missing`): kept
  // a school year, so that a family back in the next year's export finds its access as it was, then
  // deleted with everything that refers to it.
  closedFamilyMs: 365 * DAY_MS,
}

export const inDays = (ms: number) => Math.round(ms / DAY_MS)
