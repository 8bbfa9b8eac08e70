// Table shapes as Kysely sees them. Times are epoch milliseconds. Columns holding one of a closed
// list are typed as that list, so nothing casts a string to it.
import type { Kysely, Transaction } from 'kysely';
import type { SecurityEventType, SignInMethod, SignOutReason } from '../../shared/api.js';
import type { SessionKind } from '../config/config.js';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  /** 1 when a new device's sign-in needs another device's approval (docs/architecture.md, "Sign-in approval"). */
  approval_required: number;
  /** When the owner proved the address by a mailed code; null for an account made before addresses were verified. */
  email_verified_at: number | null;
  /** 1 while a mail goes out on every new sign-in (the devices window's setting); the other security mail always goes. */
  mail_new_sign_ins: number;
  /** When the server's operator disabled the account (every session ended, sign-in refused); null while enabled. */
  disabled_at: number | null;
  /** The authenticator app's secret, sealed (server/authenticator/secret-box.ts); null while codes are off. */
  totp_secret: string | null;
  totp_enabled_at: number | null;
  /** The time step of the last code accepted: a code at it or before is refused (each code works once). */
  totp_last_step: number | null;
  /** A secret being set up, sealed, until a code from it confirms it (`totp_pending_at`: when it was made). */
  totp_pending: string | null;
  totp_pending_at: number | null;
}

/** A message waiting to leave, or sent (docs/architecture.md, "Mail"). */
export interface MailOutboxTable {
  id: string;
  /** The account it is about, if any: security mail for one account coalesces into one message per burst. */
  user_id: string | null;
  to_address: string;
  template: string;
  /** The template's data as JSON; emptied once sent (it may hold a code). */
  data: string;
  created_at: number;
  /** Not sent before this: a retry's backoff, a security mail's burst. */
  due_at: number;
  attempts: number;
  /** An instance is sending it until then; past that, another may. */
  claimed_until: number | null;
  sent_at: number | null;
  /** Given up on after failing for too long. */
  failed_at: number | null;
  last_error: string | null;
}

/**
 * `second_factor`: a right password waiting for an authenticator code (no mail, no code of its own; the row
 * counts the tries); `reset_factor`: a password reset by mail waiting for one (a budget of its own, so that
 * guesses by whoever has the password do not lock the owner's mailbox out too).
 */
export type EmailCodePurpose = 'sign_up' | 'reset' | 'verify' | 'step_up' | 'second_factor' | 'reset_factor' | 'passkey_add' | 'passkey_sign_in' | 'passkey_reauth';

/** A passkey: a WebAuthn credential of an account (docs/api.md, "Passkeys"). */
export interface PasskeysTable {
  /** The credential id, base64url. */
  id: string;
  user_id: string;
  name: string;
  /** The COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON array of the transports the authenticator named. */
  transports: string | null;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
  /** When its sign counter went back: a copied authenticator; it signs nothing in since. */
  cloned_at: number | null;
}
export const SECOND_FACTOR_PURPOSES = ['second_factor', 'reset_factor'] as const satisfies EmailCodePurpose[];

/** The authenticator columns of an account without codes (none set up, none being set up). */
export const CODES_OFF = { totp_secret: null, totp_enabled_at: null, totp_last_step: null, totp_pending: null, totp_pending_at: null } as const;

/** A 6-digit code mailed to prove an address: only its hash, counted tries, one use. */
export interface EmailCodesTable {
  id: string;
  purpose: EmailCodePurpose;
  email: string;
  /** The account; null for a sign-up (none yet) and for a decoy (an address with no account). */
  user_id: string | null;
  /** HMAC of the code under the row's id; null for a decoy, which no code opens (docs/api.md, "Answers that tell nothing"). */
  code_hash: string | null;
  tries: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** What the code's use needs kept until then, as JSON; emptied once used. */
  data: string | null;
}

/** One-time recovery codes: only SHA-256 of each (50 random bits), marked when used. */
export interface RecoveryCodesTable {
  code_hash: string;
  user_id: string;
  created_at: number;
  used_at: number | null;
}

/**
 * Where a request stands: waiting; approved (not yet collected by the new device); collected (its session
 * exists); denied or wrong_number (by `decided_by_name`); cancelled by the new device; recovered (a recovery
 * code was used instead); expired, once the maintenance job has logged that nobody answered (until then a
 * pending row past `expires_at` is expired all the same).
 */
export type SignInRequestStatus = 'pending' | 'approved' | 'collected' | 'denied' | 'wrong_number' | 'cancelled' | 'recovered' | 'expired';

export interface SignInRequestsTable {
  id: string;
  /** The account; null for a decoy made for an address with no account (`email` names it). */
  user_id: string | null;
  /** Set only when `user_id` is null: the address the sign-in named. */
  email: string | null;
  /** SHA-256 of the secret only the new device holds. */
  secret_hash: string;
  number: number;
  /** JSON array of three numbers, `number` among them. */
  choices: string;
  decoy: number;
  device_name: string;
  platform: string;
  os: string | null;
  app_version: string;
  ip: string;
  user_agent: string;
  created_at: number;
  expires_at: number;
  state: SignInRequestStatus;
  decided_at: number | null;
  decided_by_name: string | null;
  /** The session that answered; an approval is collected only while it is active. */
  decided_by: string | null;
  code_attempts: number;
  /** The device on which a wrong number was picked once (forgiven: one more try); a second wrong pick refuses. */
  wrong_pick_by: string | null;
  wrong_pick_at: number | null;
  resent_at: number | null;
  /** The kind of session an approval or a recovery code makes. */
  kind: SessionKind;
  /** `ip` by addressKey (an IPv6 host by its /64): requests are counted by it. */
  address_key: string;
  /** A password reset waiting for approval: the new password's hash, set when the request completes. */
  reset_password_hash: string | null;
}

/** The server's own settings, by name. */
export interface ServerSettingsTable {
  name: string;
  value: string;
}

export type { SessionKind };

export interface SessionsTable {
  /** Public handle, shown to clients; never the token. */
  id: string;
  user_id: string;
  /** SHA-256 of the current token, hex. No token itself is ever stored (docs/architecture.md, "Token rotation"). */
  token_hash: string;
  /** The token this one replaced: still accepted until `rotated_at` + the grace, reuse after that. */
  prev_token_hash: string | null;
  /** A replacement handed out but not yet presented; it becomes current the first time it is. */
  next_token_hash: string | null;
  /** Random salt that derived the current token from the previous one (HMAC keyed by the previous token). */
  rotation_nonce: string | null;
  /** Salt of the pending replacement: rotating again before it is used hands out the same token. */
  next_nonce: string | null;
  /** How many times a pending replacement was replaced (asked with another claim) since the current token became current. */
  superseded: number;
  /** The address that asked for the pending replacement. */
  next_from_ip: string | null;
  /** When the current token became current (sign-in, or its first use after a rotation). */
  rotated_at: number;
  /** The address the current token was first used from (the sign-in's, until a rotation). */
  token_from_ip: string;
  device_name: string;
  platform: string;
  /** OS name and version as the device reported it at sign-in. */
  os: string | null;
  app_version: string;
  ip: string;
  user_agent: string;
  created_at: number;
  last_seen_at: number;
  /** Sliding idle expiry, never past expires_at. */
  idle_expires_at: number;
  /** Absolute expiry. */
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: SignOutReason | null;
  /** Session id of the device that revoked this one. */
  revoked_by: string | null;
  /** For `token_reused`: the address an old token was presented from. */
  reused_from_ip: string | null;
  /** When a password was last entered on this session (sign-in or re-authentication). */
  reauth_at: number | null;
  /** When the password or a passkey was last entered again on this session, after its sign-in (null: never). */
  reentered_at: number | null;
  /** While a live connection is held: until when that holds without another heartbeat. */
  online_until: number | null;
  /** The instance that holds it. */
  online_by: string | null;
  /** 'browser': the account page's cookie session (docs/architecture.md, "The account page"); 'app': a desktop app's. */
  kind: SessionKind;
  /** How the session began (null: before this was kept). */
  signed_in_with: SignInMethod | null;
  /** With 'approval': the approving device's name then, and its session (which may have ended since). */
  approved_on: string | null;
  approved_by: string | null;
}

/**
 * Every column of `sessions`, by name. A query that names its columns is prepared once per PostgreSQL
 * connection; `select *` is not (server/storage/database.ts says why). The check below fails the build
 * when a column is added to SessionsTable and not here.
 */
export const SESSION_COLUMNS = [
  'id', 'user_id', 'token_hash', 'prev_token_hash', 'next_token_hash', 'rotation_nonce', 'next_nonce', 'superseded', 'next_from_ip', 'rotated_at',
  'token_from_ip', 'device_name', 'platform', 'os', 'app_version', 'ip', 'user_agent', 'created_at', 'last_seen_at',
  'idle_expires_at', 'expires_at', 'revoked_at', 'revoke_reason', 'revoked_by', 'reused_from_ip', 'reauth_at', 'reentered_at',
  'online_until', 'online_by', 'kind', 'signed_in_with', 'approved_on', 'approved_by',
] as const satisfies ReadonlyArray<keyof SessionsTable>;
const everySessionColumn: Exclude<keyof SessionsTable, (typeof SESSION_COLUMNS)[number]> extends never ? true : never = true;
void everySessionColumn;

export interface SecurityEventsTable {
  id: string;
  user_id: string;
  type: SecurityEventType;
  at: number;
  device_name: string;
  platform: string;
  ip: string;
  target_device_name: string | null;
  count: number | null;
  /** The session whose device acted; null for the operator, and for events older than this column. */
  session_id: string | null;
}

/** A fixed-window counter of password attempts under one key. */
export interface AttemptCountersTable {
  key: string;
  count: number;
  last_at: number;
  /** The attempt before the last one in this window, if any. */
  prev_at: number | null;
  reset_at: number;
}

/** Tokens of a session older than its previous one: presenting any of them is reuse. */
export interface RetiredTokensTable {
  token_hash: string;
  session_id: string;
  retired_at: number;
}

export interface Database {
  attempt_counters: AttemptCountersTable;
  users: UsersTable;
  sessions: SessionsTable;
  security_events: SecurityEventsTable;
  retired_tokens: RetiredTokensTable;
  recovery_codes: RecoveryCodesTable;
  sign_in_requests: SignInRequestsTable;
  server_settings: ServerSettingsTable;
  mail_outbox: MailOutboxTable;
  email_codes: EmailCodesTable;
  passkeys: PasskeysTable;
}

export type Db = Kysely<Database> | Transaction<Database>;
