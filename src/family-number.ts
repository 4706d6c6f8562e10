// A family's number, its login: exactly 15 ASCII digits, as the commune's billing
// software prints it. The one place that says so: forms, cookies, the agents' URLs and the ops
// scripts all check it here.
export const FAMILY_NUMBER_LENGTH = 15

// `\d` without the `u` flag matches ASCII digits only: no Arabic-Indic or full-width look-alikes.
export const FAMILY_NUMBER_PATTERN = new RegExp(`^\\d{${FAMILY_NUMBER_LENGTH}}$`)

export const isFamilyNumber = (value: string) => FAMILY_NUMBER_PATTERN.test(value)

/** Spaces around the number (pasted from an invoice, a spreadsheet) are ignored; nothing else is. */
export const normalizeFamilyNumber = (value: string) => value.trim()
