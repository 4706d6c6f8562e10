import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { foldNameSql } from './fold'

// Times are epoch milliseconds: one unit everywhere, comparable in SQL without date parsing.
const createdAt = () =>
  integer('created_at')
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`)

export const families = sqliteTable(
  'families',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    familyNumber: text('family_number').notNull().unique(),
    lastName: text('last_name').notNull(),
    firstName: text('first_name').notNull(),
    email: text('email'),
    // `scrypt$logN$r$p$salt$hash`, or null for a family that never chose a password.
    passwordHash: text('password_hash'),
    passwordChangedAt: integer('password_changed_at'),
    // Bumped by every password change: a session is opened, or a hash upgraded, only if the version that
    // was verified is still the family's, so a change always wins a race (services/flows/sign-in.ts).
    passwordVersion: integer('password_version').notNull().default(0),
    lastSignInAt: integer('last_sign_in_at'),
    // Shown in the family space: the sign-in before the current one.
    previousSignInAt: integer('previous_sign_in_at'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
    // Set by an import with --close-missing when the family left the commune's export; null while
    // open. A closed family cannot sign in or receive mail; the next import that lists it reopens it
    // (docs/data-and-retention.md).
    closedAt: integer('closed_at'),
    // The WebAuthn user handle of the family's passkeys (services/flows/passkeys.ts): 32 random hex,
    // made at the first passkey, never the family number (the authenticator keeps and returns it).
    passkeyUserId: text('passkey_user_id').unique(),
    // « Plus tard » on the passkey offer: it stays away a month (docs/passkeys.md).
    passkeyOfferDismissedAt: integer('passkey_offer_dismissed_at'),
    // « NOM Prénom » without accents and in lower case (db/fold.ts), for the agents' search: generated,
    // so no write (the import's SQL, a seed, a test) can leave it stale; indexed, so a search reads the
    // index's folded names rather than folding every row again. A migration that rebuilds this table
    // must leave the generated column out of its copy (drizzle-kit writes it in: check by hand).
    nameKey: text('name_key').generatedAlwaysAs(
      foldNameSql(sql`"last_name" || ' ' || "first_name"`),
      { mode: 'virtual' },
    ),
  },
  // « Numéro de famille oublié ? » looks families up by address, case-insensitively (docs/family-number-recovery.md);
  // the cron deletes long-closed families by their closing date.
  (table) => [
    index('families_email_idx').on(sql`lower(${table.email})`),
    index('families_closed_at_idx').on(table.closedAt),
    index('families_search_idx').on(table.nameKey, table.email),
  ],
)

// The commune's export on its way in (`families:import`): loaded in chunks within D1's limits, then
// applied to `families` in one atomic batch and emptied (services/flows/families-import.ts). Rows are
// keyed by their import: an import applies its own rows only.
export const familiesImport = sqliteTable(
  'families_import',
  {
    importKey: text('import_key').notNull(),
    familyNumber: text('family_number').notNull(),
    lastName: text('last_name').notNull(),
    firstName: text('first_name').notNull(),
    email: text('email'),
  },
  (table) => [primaryKey({ columns: [table.importKey, table.familyNumber] })],
)

export const sessions = sqliteTable(
  'sessions',
  {
    // SHA-256 of the cookie's token, hex: the token itself is never stored.
    id: text('id').primaryKey(),
    familyId: integer('family_id')
      .notNull()
      .references(() => families.id, { onDelete: 'cascade' }),
    // 'restricted' sessions come from a temporary password and reach only the new-password step.
    kind: text('kind', { enum: ['full', 'restricted'] }).notNull(),
    // How the session was opened: the family space offers a passkey after a password sign-in only.
    method: text('method', {
      enum: ['password', 'temporary_password', 'passkey', 'franceconnect'],
    })
      .notNull()
      .default('password'),
    temporaryPasswordId: integer('temporary_password_id'),
    // The passkey that opened it: removing that passkey ends the session.
    passkeyId: text('passkey_id'),
    createdAt: createdAt(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  // The cron deletes by expiry and by idleness every minute: it reads only what it deletes.
  (table) => [
    index('sessions_family_id_idx').on(table.familyId),
    index('sessions_expires_at_idx').on(table.expiresAt),
    index('sessions_last_seen_at_idx').on(table.lastSeenAt),
  ],
)

export const temporaryPasswords = sqliteTable(
  'temporary_passwords',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    familyId: integer('family_id')
      .notNull()
      .references(() => families.id, { onDelete: 'cascade' }),
    // SHA-256 of the 32-hex temporary password: 128 random bits need no slow hash.
    secretHash: text('secret_hash').notNull().unique(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    // Restricted sessions opened with it: bounded, so one mailed password cannot grow the sessions table.
    signIns: integer('sign_ins').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    index('temporary_passwords_family_id_idx').on(table.familyId),
    index('temporary_passwords_expires_at_idx').on(table.expiresAt),
  ],
)

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    familyId: integer('family_id').references(() => families.id, { onDelete: 'set null' }),
    kind: text('kind', {
      enum: [
        'temporary_password',
        'password_changed',
        'family_number',
        'passkey_added',
        'passkey_removed',
        'franceconnect_linked',
        'franceconnect_unlinked',
        'franceconnect_code',
      ],
    }).notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    // Null once purged: bodies holding a temporary password do not outlive their delivery.
    text: text('text'),
    html: text('html'),
    status: text('status', { enum: ['pending', 'sending', 'delivered', 'failed', 'expired'] })
      .notNull()
      .default('pending'),
    // A UUID sent with every attempt, so a provider can drop a duplicate of a retried send.
    idempotencyKey: text('idempotency_key').notNull(),
    attempts: integer('attempts').notNull().default(0),
    // A random token per claim: only the claim that sent the mail may record its outcome.
    lease: text('lease'),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    // After this the mail is pointless (its temporary password has expired): never sent.
    expiresAt: integer('expires_at'),
    lastError: text('last_error'),
    // Counted in the global hourly budget (the public recovery forms); past it the mail waits.
    inBudget: integer('in_budget', { mode: 'boolean' }).notNull().default(false),
    // Higher goes first when the budget reopens: 1 for a request from the family's trusted device.
    priority: integer('priority').notNull().default(0),
    deliveredAt: integer('delivered_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('outbox_due_idx').on(table.status, table.nextAttemptAt),
    index('outbox_finished_idx').on(table.status, table.createdAt),
    // A family's mails: its page in the console, withdrawing them, and deleting the family.
    index('outbox_family_id_idx').on(table.familyId),
  ],
)

// The browsers where a family signed in with its password (services/devices.ts): a device cookie is
// honoured only while its row is here, so agents can forget them and only the 10 most recent count.
export const devices = sqliteTable(
  'devices',
  {
    familyId: integer('family_id')
      .notNull()
      .references(() => families.id, { onDelete: 'cascade' }),
    // The random id inside the cookie; the cookie itself (and its signature) is never stored.
    deviceId: text('device_id').notNull(),
    firstSignInAt: integer('first_sign_in_at').notNull(),
    lastSignInAt: integer('last_sign_in_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.familyId, table.deviceId] })],
)

// A family's passkeys (WebAuthn discoverable credentials, docs/passkeys.md): only public keys.
export const passkeys = sqliteTable(
  'passkeys',
  {
    // The credential id, base64url, as the authenticator returns it at each sign-in.
    id: text('id').primaryKey(),
    familyId: integer('family_id')
      .notNull()
      .references(() => families.id, { onDelete: 'cascade' }),
    // The public key as a JWK (RFC 7517) in JSON, for WebCrypto's importKey('jwk').
    publicKey: text('public_key').notNull(),
    // COSE algorithm: -7 (ES256) or -257 (RS256).
    algorithm: integer('algorithm').notNull(),
    // The authenticator's signature counter; synced passkeys keep 0 (WebAuthn L3 §6.1.1).
    signCount: integer('sign_count').notNull().default(0),
    name: text('name').notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at'),
  },
  (table) => [index('passkeys_family_id_idx').on(table.familyId)],
)

// One-time WebAuthn challenges (docs/passkeys.md): consumed in the batch that uses them, deleted by
// the cron once expired. Only their SHA-256 is stored.
export const passkeyChallenges = sqliteTable(
  'passkey_challenges',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: ['sign_in', 'register'] }).notNull(),
    // The family adding a passkey; null for a sign-in (the family is not known yet).
    familyId: integer('family_id').references(() => families.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
  },
  // The cron deletes by expiry; deleting a family deletes its challenges through family_id.
  (table) => [
    index('passkey_challenges_expires_at_idx').on(table.expiresAt),
    index('passkey_challenges_family_id_idx').on(table.familyId),
  ],
)

// FranceConnect identities linked to a family (docs/franceconnect.md): at most 2, one per adult. Only the
// provider's pseudonymous `sub` and the names shown to the family.
export const franceConnectLinks = sqliteTable(
  'franceconnect_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    familyId: integer('family_id')
      .notNull()
      .references(() => families.id, { onDelete: 'cascade' }),
    sub: text('sub').notNull().unique(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    linkedAt: integer('linked_at').notNull(),
  },
  (table) => [index('franceconnect_links_family_id_idx').on(table.familyId)],
)

// A FranceConnect sign-in on its way (docs/franceconnect.md): the state's SHA-256 (the browser holds
// the state in a short-lived cookie) and the nonce the ID token must carry. Spent by the callback.
export const franceConnectRequests = sqliteTable(
  'franceconnect_requests',
  {
    id: text('id').primaryKey(),
    nonce: text('nonce').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('franceconnect_requests_expires_at_idx').on(table.expiresAt)],
)

// An identity FranceConnect vouched for that no family has yet: kept 15 minutes while the adult proves
// the family (its password, or a code mailed to it), behind a cookie whose SHA-256 is the id.
export const franceConnectPending = sqliteTable(
  'franceconnect_pending',
  {
    id: text('id').primaryKey(),
    sub: text('sub').notNull(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    expiresAt: integer('expires_at').notNull(),
    // Once the family number is typed and a code asked for: the family, the code's SHA-256, its end
    // and the wrong codes typed (5 at most).
    familyId: integer('family_id').references(() => families.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash'),
    codeExpiresAt: integer('code_expires_at'),
    codeFailures: integer('code_failures').notNull().default(0),
  },
  (table) => [
    index('franceconnect_pending_expires_at_idx').on(table.expiresAt),
    index('franceconnect_pending_family_id_idx').on(table.familyId),
  ],
)

export const attemptCounters = sqliteTable(
  'attempt_counters',
  {
    // e.g. `signin-number:<sha256>`: what is counted, never a clear value.
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    windowStartedAt: integer('window_started_at').notNull(),
    // Past its limit a key is refused until then; each new block lasts twice the last (`strikes`).
    blockedUntil: integer('blocked_until'),
    strikes: integer('strikes').notNull().default(0),
    // Posts refused during the current block: one row per key and block, not one event per post.
    refused: integer('refused').notNull().default(0),
  },
  (table) => [index('attempt_counters_window_idx').on(table.windowStartedAt)],
)

export const securityEvents = sqliteTable(
  'security_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    type: text('type', {
      enum: [
        'sign_in_succeeded',
        'sign_in_failed',
        'temporary_password_requested',
        'temporary_password_used',
        'password_changed',
        'limit_reached',
        'family_number_requested',
        'agent_action',
        'passkey_added',
        'passkey_removed',
        'franceconnect_linked',
        'franceconnect_unlinked',
      ],
    }).notNull(),
    familyId: integer('family_id').references(() => families.id, { onDelete: 'set null' }),
    // HMAC of the client's network (services/client-key.ts); the column keeps its first name.
    clientKey: text('client_hash'),
    detail: text('detail'),
    createdAt: createdAt(),
    // An agent's action (the journal, /agents/journal): the agent's e-mail from Cloudflare Access and the
    // action's slug (AGENT_ACTIONS, src/paths.ts); `detail` then says what it did. Null otherwise.
    agent: text('agent'),
    action: text('action'),
  },
  (table) => [
    index('security_events_family_id_idx').on(table.familyId),
    index('security_events_created_at_idx').on(table.createdAt),
    index('security_events_agent_idx').on(table.agent, table.id),
  ],
)

export type Family = typeof families.$inferSelect
export type Session = typeof sessions.$inferSelect
export type Device = typeof devices.$inferSelect
export type Passkey = typeof passkeys.$inferSelect
export type FranceConnectLink = typeof franceConnectLinks.$inferSelect
export type FranceConnectPending = typeof franceConnectPending.$inferSelect
export type OutboxMail = typeof outbox.$inferSelect
export type SecurityEventType = (typeof securityEvents.$inferInsert)['type']
