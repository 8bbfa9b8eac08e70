// The HTTP API v1 and realtime contract: every request body, response and
// message as a zod schema. The server validates with these and the desktop
// client parses with them, so each fact has exactly one schema.
import { z } from 'zod';

export const API_PREFIX = '/v1';
export const EVENTS_PATH = '/v1/events';
/** Close code the server uses after `session.revoked`. */
export const CLOSE_SESSION_REVOKED = 4001;
/** Close code for a socket opened with a token that has since been replaced (docs/architecture.md, "Token rotation"). */
export const CLOSE_TOKEN_REPLACED = 4003;
/** Largest request body the server accepts, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
/** The account page's session cookie over https: the `__Host-` prefix makes the browser refuse it unless Secure, host-only and Path=/. */
export const SECURE_COOKIE = '__Host-latch_session';
/** The account page's session cookie over plain http, on loopback only (a browser on the same computer as its server). */
export const LOOPBACK_COOKIE = 'latch_session';
/**
 * The header the account page sends with every request that changes something; a form post from another site
 * cannot, and a fetch must first ask (CORS), which the server never allows.
 */
export const PAGE_HEADER = 'x-latch-page';

export const Platform = z.enum(['darwin', 'win32', 'linux', 'other']);
export type Platform = z.infer<typeof Platform>;
/** A stored platform as the API shows it; anything unknown reads as 'other'. */
export const platformOf = (value: string): Platform => (Platform.options as readonly string[]).includes(value) ? (value as Platform) : 'other';

/** A moment, as ISO 8601 with its offset ("2026-12-07T14:02:10.000Z"). */
export const Timestamp = z.iso.datetime({ offset: true });

/**
 * A field's rule, as its zod message: a key, never words (`rule(kind, field)`). The words are in shared/messages
 * (`fieldSaid`), in the reader's language; the server's details say them in English, with the key beside them.
 */
export const FIELD_NAMES = [
  'deviceName',
  'os',
  'appVersion',
  'email',
  'password',
  'newPassword',
  'currentPassword',
  'codeId',
  'rotationClaim',
  'signInRequestId',
  'requestSecret',
  'sessionId',
  'securityEventId',
  'passkeyResponse',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
/** Rules said with the field's name (and the limit of the check that refused, where it has one). */
export const NAMED_RULES = ['required', 'too_short', 'too_long', 'unsafe_text', 'no_visible', 'not_valid'] as const;
/** Rules whose sentence is the field's own. */
export const OWN_RULES = [
  'os_chars',
  'email_format',
  'enter_email',
  'enter_password',
  'enter_current_password',
  'enter_new_password',
  'enter_server_url',
  'server_url_too_long',
  'enter_code',
  'code_digits',
  'recovery_code',
  'second_factor_code',
  'app_code_digits',
] as const;
export type NamedRule = (typeof NAMED_RULES)[number];
export type OwnRule = (typeof OWN_RULES)[number];
export type FieldRule = OwnRule | `${NamedRule}:${FieldName}`;
export const rule = (kind: NamedRule, field: FieldName): FieldRule => `${kind}:${field}`;

/**
 * Characters that are never stored or shown: controls (NUL, ESC…), invisible
 * format characters (U+202E RIGHT-TO-LEFT OVERRIDE and the other direction
 * marks, zero-width spaces, soft hyphens, tags) and fillers, which let a
 * name like "Work laptop" hide what it really says or say nothing at all.
 * The zero-width joiner stays: emoji sequences need it.
 */
const UNSAFE_TEXT = /(?!\u200D)[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/gu;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
export const hasUnsafeText = (value: string): boolean => value.search(UNSAFE_TEXT) !== -1;
/** For text that may predate the rule (stored rows) on its way to the OS: unsafe characters removed. */
export const stripUnsafeText = (value: string): string => value.replace(UNSAFE_TEXT, '');

/** Text a device sends about itself: trimmed, bounded, and free of control and direction characters. */
const DeviceText = (field: FieldName, max: number) =>
  z
    .string()
    .trim()
    .min(1, rule('required', field))
    .max(max, rule('too_long', field))
    .refine((value) => !hasUnsafeText(value), rule('unsafe_text', field))
    .refine((value) => value.length === 0 || VISIBLE.test(value), rule('no_visible', field));

export const DeviceName = DeviceText('deviceName', 64);
export const DeviceOs = DeviceText('os', 64).refine(
  (value) => /^[\p{L}\p{N}\p{M} .,:()+/_-]*$/u.test(value),
  'os_chars' satisfies FieldRule,
);

export const DeviceInfo = z.strictObject({
  name: DeviceName,
  platform: Platform,
  appVersion: DeviceText('appVersion', 32),
  /**
   * The operating system and its version, as the device reads it ("Ubuntu 24.04", "macOS 15.2", "Windows 11"):
   * letters, digits and a few marks only, so it cannot pose as a place or a status in a list.
   */
  os: DeviceOs.optional(),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;

export const Email = z
  .string()
  .trim()
  .max(254, rule('too_long', 'email'))
  .pipe(z.email('email_format' satisfies FieldRule))
  .transform((email) => email.toLowerCase())
  // What the pipe checks, said in the OpenAPI document too (docs/openapi.json), which sees only its first stage.
  .meta({ format: 'email' });

/** The shortest new password; forms check it before sending, with the same number. */
export const NEW_PASSWORD_MIN = 10;
/** Rules for a new password; sign-in accepts any non-empty password. */
/** The rule for a new password, its messages naming the field. */
export const newPassword = (field: FieldName = 'password') =>
  z
    .string()
    .min(NEW_PASSWORD_MIN, rule('too_short', field))
    .max(256, rule('too_long', field));
export const NewPassword = newPassword();

const AnyPassword = z.string().min(1, 'enter_password' satisfies FieldRule).max(256, rule('too_long', 'password'));

/**
 * `POST /v1/auth/register`: answered 202 with `CodeSent` whether or not the address has an account (docs/api.md,
 * "Codes by mail"); the account is made when the mailed code comes back (`VerifySignUpBody`).
 */
export const RegisterBody = z.strictObject({ email: Email, password: NewPassword, device: DeviceInfo });
export type RegisterBody = z.infer<typeof RegisterBody>;

/** The id of a mailed code: it names the code, never the account. */
export const CodeId = z.uuid({ error: rule('not_valid', 'codeId') });
/** The six digits of a mailed code; spaces (as pasted from some mail) are ignored. */
export const EmailCode = z
  .string()
  .transform((code) => code.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'code_digits' satisfies FieldRule));

/** A code was mailed, if the address can get one: the answer is the same either way. */
export const CodeSent = z.strictObject({ codeSent: z.strictObject({ id: CodeId, expiresAt: Timestamp }) });
export type CodeSent = z.infer<typeof CodeSent>;

/**
 * `POST /v1/auth/login` past the account's ceiling of wrong passwords, from an address it never signed in from
 * (docs/api.md, "Rate limits"): 202 with this, right password or not; the password is checked only with the
 * code mailed to the owner (`StepUpBody`).
 */
export const StepUp = z.strictObject({ stepUp: z.strictObject({ id: CodeId, expiresAt: Timestamp }) });
export type StepUp = z.infer<typeof StepUp>;
/** `POST /v1/auth/login/code`: the mailed code, with the password again. */
export const StepUpBody = z.strictObject({ id: CodeId, code: EmailCode, password: AnyPassword });
export type StepUpBody = z.input<typeof StepUpBody>;

/** `POST /v1/auth/register/verify`: the code from the sign-up's mail makes the account and signs the device in. */
export const VerifySignUpBody = z.strictObject({ id: CodeId, code: EmailCode });
export type VerifySignUpBody = z.input<typeof VerifySignUpBody>;

/** `POST /v1/auth/password-reset`: a code by mail, if the address has an account (the answer is the same). */
export const ResetRequestBody = z.strictObject({ email: Email });
export type ResetRequestBody = z.infer<typeof ResetRequestBody>;

/**
 * `POST /v1/auth/password-reset/confirm`: the mailed code and a new password sign this device in and every
 * other device out. With sign-in approval on, a recovery code too: a mailbox alone does not undo approval.
 */
export const ResetBody = z.strictObject({ id: CodeId, code: EmailCode, password: NewPassword, device: DeviceInfo, recoveryCode: RecoveryCodeField().optional() });
export type ResetBody = z.input<typeof ResetBody>;

/** `POST /v1/account/email/confirm`: the code mailed at sign-up, or the newest from `POST /v1/account/email/send-code`. */
export const ConfirmEmailBody = z.strictObject({ code: EmailCode });
export type ConfirmEmailBody = z.input<typeof ConfirmEmailBody>;

/** `GET`/`PUT /v1/account/mail`: which optional mail the account gets. */
export const MailSettings = z.strictObject({ newSignIns: z.boolean() });
export type MailSettings = z.infer<typeof MailSettings>;

export const LoginBody = z.strictObject({ email: Email, password: AnyPassword, device: DeviceInfo });
export type LoginBody = z.infer<typeof LoginBody>;

export const ChangePasswordBody = z.strictObject({
  currentPassword: AnyPassword,
  newPassword: NewPassword,
  /** Sign out every other session; on unless the person opts out. */
  signOutOtherSessions: z.boolean().default(true),
});
export type ChangePasswordBody = z.input<typeof ChangePasswordBody>;

/**
 * `POST /v1/auth/rotate`: a random value the device makes for each token it rotates and keeps in memory
 * only. The replacement is derived from it too, so a copy of the token without it gets no replacement,
 * and a second holder asking inside the grace is caught (docs/architecture.md, "Token rotation").
 */
export const RotateBody = z.strictObject({ claim: z.string().regex(/^[A-Za-z0-9_-]{43}$/, rule('not_valid', 'rotationClaim')) });
export type RotateBody = z.infer<typeof RotateBody>;

/** The account password entered again, for actions that need recent authentication. */
export const ReauthBody = z.strictObject({ password: AnyPassword });
export type ReauthBody = z.infer<typeof ReauthBody>;

// Sign-in approval (docs/architecture.md, "Sign-in approval").

/** Recovery codes: ten of them, `xxxxx-xxxxx` in Crockford base32 (50 bits each), each good once. */
export const RECOVERY_CODE_COUNT = 10;
function RecoveryCodeField() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .transform((code) => code.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^[0-9a-hjkmnp-tv-z]{10}$/, 'recovery_code' satisfies FieldRule));
}
export const RecoveryCode = RecoveryCodeField();

// Passkeys (docs/api.md, "Passkeys"): WebAuthn credentials, as @simplewebauthn's JSON carries them.

/** Base64url of `min` to `max` characters: the bounds are in the pattern too, which is what generators of the OpenAPI document follow. */
const Base64Url = (max: number, min = 0) => z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
/** A passkey's name, as the owner gives it ("Laptop's fingerprint reader"). */
export const PasskeyName = DeviceText('deviceName', 64);
export const PasskeyView = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.optional(),
  /** Synced by its provider to the owner's other devices (a multi-device credential, backed up). */
  synced: z.boolean(),
  /** Its sign counter went back: a copy of the authenticator was used; it signs nothing in since. */
  clonedAt: Timestamp.optional(),
});
export type PasskeyView = z.infer<typeof PasskeyView>;
export const PasskeyList = z.strictObject({ passkeys: z.array(PasskeyView) });
export type PasskeyList = z.infer<typeof PasskeyList>;
/** A WebAuthn ceremony's options for the browser (`navigator.credentials`), and the id to answer with. */
export const PasskeyOptions = z.strictObject({ id: CodeId, options: z.record(z.string(), z.unknown()) });
export type PasskeyOptions = z.infer<typeof PasskeyOptions>;
const CredentialId = Base64Url(1_023, 16);
export const RegistrationResponse = z.looseObject({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url(4_096),
    attestationObject: Base64Url(8_192),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
export const AuthenticationResponse = z.looseObject({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url(4_096),
    authenticatorData: Base64Url(4_096),
    signature: Base64Url(1_024),
    userHandle: Base64Url(256).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});
/** `POST /v1/account/passkeys`: what the authenticator made for the options of `id`, and a name for it. */
export const AddPasskeyBody = z.strictObject({ id: CodeId, name: PasskeyName, response: RegistrationResponse });
export type AddPasskeyBody = z.input<typeof AddPasskeyBody>;
export const RenamePasskeyBody = z.strictObject({ name: PasskeyName });
export type RenamePasskeyBody = z.infer<typeof RenamePasskeyBody>;
/** `POST /v1/auth/passkey`: the assertion for the options of `id`, with no email typed (a discoverable credential). */
export const PasskeySignInBody = z.strictObject({ id: CodeId, response: AuthenticationResponse, device: DeviceInfo });
export type PasskeySignInBody = z.input<typeof PasskeySignInBody>;
/** The account page's and recent authentication's: the assertion for the options of `id` (the device is the caller). */
export const PasskeyAssertionBody = z.strictObject({ id: CodeId, response: AuthenticationResponse });
export type PasskeyAssertionBody = z.input<typeof PasskeyAssertionBody>;
export const PasskeyId = z.strictObject({ id: CredentialId });

// Codes from an authenticator app (docs/architecture.md, "Authenticator codes").

/** `GET /v1/account/authenticator`: whether a password sign-in also needs a code from the app. */
export const AuthenticatorSetting = z.strictObject({
  enabled: z.boolean(),
  enabledAt: Timestamp.optional(),
  /** The account's recovery codes left (one set, shared with sign-in approval). */
  recoveryCodesLeft: z.number().int().nonnegative(),
});
export type AuthenticatorSetting = z.infer<typeof AuthenticatorSetting>;
/** `POST /v1/account/authenticator/setup` and `/off`: the password first. */
export const AuthenticatorPasswordBody = z.strictObject({ password: AnyPassword });
export type AuthenticatorPasswordBody = z.infer<typeof AuthenticatorPasswordBody>;
/** A new secret, not in effect until a code from it is confirmed before `expiresAt`: a QR code to scan, or the text to type. */
export const AuthenticatorSetup = z.strictObject({
  secret: z.string().regex(/^[A-Z2-7]{32}$/),
  uri: z.string().startsWith('otpauth://totp/'),
  /** The `uri` as a QR code: an SVG image in a data URL. */
  qrCode: z.string().startsWith('data:image/svg+xml;base64,'),
  expiresAt: Timestamp,
});
export type AuthenticatorSetup = z.infer<typeof AuthenticatorSetup>;
/** The six digits an authenticator app shows; spaces are ignored. */
export const AppCode = z
  .string()
  .transform((code) => code.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'app_code_digits' satisfies FieldRule));
/** `POST /v1/account/authenticator/confirm`: a code from the new secret turns codes on. */
export const AuthenticatorConfirmBody = z.strictObject({ code: AppCode });
export type AuthenticatorConfirmBody = z.input<typeof AuthenticatorConfirmBody>;
/** The answer; `recoveryCodes` only when the account had none and got its set now (shown once). */
export const AuthenticatorChanged = z.strictObject({ enabled: z.boolean(), recoveryCodesLeft: z.number().int().nonnegative(), recoveryCodes: z.array(z.string()).optional() });
export type AuthenticatorChanged = z.infer<typeof AuthenticatorChanged>;

/**
 * `POST /v1/auth/login` for an account with authenticator codes on, when the password was right: 202 with
 * this; the sign-in ends with a code from the app or a recovery code (`SecondFactorBody`) before `expiresAt`.
 */
export const SecondFactor = z.strictObject({ secondFactor: z.strictObject({ id: CodeId, expiresAt: Timestamp }) });
export type SecondFactor = z.infer<typeof SecondFactor>;
/** Six digits from the app, or a recovery code (`xxxxx-xxxxx`); spaces and dashes are ignored. */
export const SecondFactorCode = z
  .string()
  .trim()
  .toLowerCase()
  .transform((code) => code.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^(?:\d{6}|[0-9a-hjkmnp-tv-z]{10})$/, 'second_factor_code' satisfies FieldRule));
/** `POST /v1/auth/login/second-factor`. */
export const SecondFactorBody = z.strictObject({ id: CodeId, code: SecondFactorCode });
export type SecondFactorBody = z.input<typeof SecondFactorBody>;

/** `GET /v1/account/sign-in-approval`. */
export const ApprovalSetting = z.strictObject({
  /** A new device's sign-in waits for one of the account's signed-in devices to approve it. */
  required: z.boolean(),
  recoveryCodesLeft: z.number().int().nonnegative(),
});
export type ApprovalSetting = z.infer<typeof ApprovalSetting>;

/** `PUT /v1/account/sign-in-approval`: turning it on or off needs the password. */
export const SetApprovalBody = z.strictObject({ required: z.boolean(), password: AnyPassword });
export type SetApprovalBody = z.infer<typeof SetApprovalBody>;
/** The answer; `recoveryCodes` only when it was just turned on (shown once, stored only as hashes). */
export const ApprovalChanged = ApprovalSetting.extend({ recoveryCodes: z.array(z.string()).optional() });
export type ApprovalChanged = z.infer<typeof ApprovalChanged>;

/** `POST /v1/account/recovery-codes`: new codes replace the old ones. */
export const RecoveryCodes = z.strictObject({ recoveryCodes: z.array(z.string()).length(RECOVERY_CODE_COUNT) });
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

/** Sign-in request handles and the secret only the new device holds (it waits and recovers with it). */
export const SignInRequestId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, rule('not_valid', 'signInRequestId'));
const RequestSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/, rule('not_valid', 'requestSecret'));

/**
 * `POST /v1/auth/login` for an account with sign-in approval on answers 202 with this, whether or not
 * the password was right: only the account's devices learn that (a prompt appears on them).
 */
export const PendingSignIn = z.strictObject({
  pending: z.strictObject({
    id: SignInRequestId,
    secret: RequestSecret,
    /** The number to pick on the approving device. */
    number: z.number().int().min(10).max(99),
    expiresAt: Timestamp,
  }),
});
export type PendingSignIn = z.infer<typeof PendingSignIn>;

export const WaitBody = z.strictObject({ secret: RequestSecret });
export type WaitBody = z.infer<typeof WaitBody>;
export const RecoverBody = z.strictObject({ secret: RequestSecret, code: RecoveryCode });
export type RecoverBody = z.input<typeof RecoverBody>;
/** The approving device's answer: the number it picked, or no. */
export const AnswerBody = z.union([z.strictObject({ number: z.number().int().min(10).max(99) }), z.strictObject({ deny: z.literal(true) })]);
export type AnswerBody = z.infer<typeof AnswerBody>;

export const RenameSessionBody = z.strictObject({ deviceName: DeviceName });
export type RenameSessionBody = z.infer<typeof RenameSessionBody>;

/** Public session handles: 22 base64url characters. */
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, rule('not_valid', 'sessionId'));

/** `emailVerified`: the owner proved the address by a mailed code (security mail goes only to such an address). */
export const User = z.strictObject({ id: z.string(), email: z.string(), createdAt: Timestamp, emailVerified: z.boolean() });
export type User = z.infer<typeof User>;

/**
 * Roughly where an address is: the server's own machine, a private network,
 * or a place on the internet from the offline city database (country as an
 * ISO 3166 code, for the UI to name in its language). Either may be missing.
 */
export const Location = z.strictObject({
  kind: z.enum(['this_computer', 'local_network', 'internet', 'unknown']),
  country: z.string().regex(/^[A-Z]{2}$/).optional(),
  city: z.string().max(80).optional(),
});
export type Location = z.infer<typeof Location>;

/**
 * How a session began: the password; the password and a code from an authenticator app; a passkey; a yes from another device (sign-in approval); a recovery code; a new
 * password set with a code from the mail; or creating the account.
 */
export const SignInMethod = z.enum(['password', 'password_and_code', 'passkey', 'approval', 'recovery_code', 'password_reset', 'new_account']);
export type SignInMethod = z.infer<typeof SignInMethod>;

export const SessionView = z.strictObject({
  id: z.string(),
  deviceName: z.string(),
  platform: Platform,
  /** OS name and version; absent for devices that did not send it. */
  os: z.string().optional(),
  appVersion: z.string(),
  ip: z.string(),
  location: Location,
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  current: z.boolean(),
  /** Holds a live connection to the server now (on any instance). */
  online: z.boolean(),
  /** A browser signed in on the account page, not a desktop app. */
  browser: z.literal(true).optional(),
  /** How it signed in; absent for a session older than this field. */
  signedInWith: SignInMethod.optional(),
  /** With `approval`: the device that approved it, by its name then, and its session id (it may have ended since). */
  approvedOn: z.string().optional(),
  approvedBy: z.string().optional(),
});
export type SessionView = z.infer<typeof SessionView>;

export const AuthResult = z.strictObject({ token: z.string(), user: User, session: SessionView });
export type AuthResult = z.infer<typeof AuthResult>;

export const CurrentSession = z.strictObject({ user: User, session: SessionView });
export type CurrentSession = z.infer<typeof CurrentSession>;

export const SessionList = z.strictObject({ sessions: z.array(SessionView) });
export type SessionList = z.infer<typeof SessionList>;

export const RevokedCount = z.strictObject({ revoked: z.number().int().nonnegative() });
export type RevokedCount = z.infer<typeof RevokedCount>;

/** Until when this session may sign other devices out without asking for the password again. */
export const Reauthenticated = z.strictObject({ until: Timestamp });
export type Reauthenticated = z.infer<typeof Reauthenticated>;

/** Why a session ended. One closed list for server, core and UI. */
export const SignOutReason = z.enum(['revoked_by_user', 'signed_out', 'password_changed', 'password_reset', 'expired', 'evicted', 'token_reused', 'revoked_by_operator', 'account_disabled']);
export type SignOutReason = z.infer<typeof SignOutReason>;

export const RevokedBy = z.strictObject({
  deviceName: z.string(),
  /** Where that device is; sent with a live revocation (the sign-in that made room, for an eviction). */
  location: Location.optional(),
});
export type RevokedBy = z.infer<typeof RevokedBy>;

/** Where a copied sign-in was used from (reason `token_reused`): the address that presented an old token. */
export const UsedFrom = z.strictObject({ ip: z.string(), location: Location });
export type UsedFrom = z.infer<typeof UsedFrom>;

/** A session that ended in the last 30 days: who ended it, why and when. */
export const SignedOutSessionView = z.strictObject({
  id: z.string(),
  deviceName: z.string(),
  platform: Platform,
  os: z.string().optional(),
  ip: z.string(),
  location: Location,
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  signedOutAt: Timestamp,
  reason: SignOutReason,
  by: RevokedBy.optional(),
});
export type SignedOutSessionView = z.infer<typeof SignedOutSessionView>;

/** `GET /v1/sessions/signed-out`: most recently ended first, at most SIGNED_OUT_LIMIT. */
export const SignedOutSessionList = z.strictObject({ sessions: z.array(SignedOutSessionView) });
export type SignedOutSessionList = z.infer<typeof SignedOutSessionList>;
export const SIGNED_OUT_LIMIT = 100;

export const SecurityEventType = z.enum([
  'account_created',
  'signed_in',
  'signed_out',
  'session_revoked',
  'other_sessions_revoked',
  'password_changed',
  'session_evicted',
  /** A device's old sign-in token was used after it had been replaced: the device (`deviceName`) was signed out; `ip` is where the old token came from. */
  'token_reused',
  'approval_turned_on',
  'approval_turned_off',
  'recovery_codes_regenerated',
  /** A new device's sign-in (`targetDeviceName`, from `ip`) was approved by `deviceName`. */
  'sign_in_approved',
  /** … denied by `deviceName`. */
  'sign_in_denied',
  /** … not approved: the wrong number was picked twice, the second time on `deviceName`. */
  'sign_in_wrong_number',
  /** A number the new device (`targetDeviceName`) did not show was picked on `deviceName`; it was asked again. */
  'sign_in_wrong_pick',
  /** A new device (`deviceName`, from `ip`) asked to sign in and no device answered in time. */
  'sign_in_expired',
  /** A new device (`deviceName`, from `ip`) signed in with a recovery code; `count` codes are left. */
  'recovery_code_used',
  /** The password was reset with a mailed code on `deviceName`; `count` other devices were signed out. */
  'password_reset',
  /** The account's address was proved with a mailed code. */
  'email_verified',
  /** Mail on every new sign-in was turned off (or on again: `count` 1) on `deviceName`. */
  'sign_in_mail_changed',
  /** The server's operator signed devices out: `targetDeviceName` (one), or `count` (all). */
  'operator_signed_out',
  /** The server's operator disabled the account; `count` devices were signed out. */
  'account_disabled',
  /** The server's operator enabled the account again. */
  'account_enabled',
  /** The server's operator had a password reset code mailed to the account's address. */
  'operator_sent_reset',
  /** Codes from an authenticator app were turned on (on `deviceName`): a password sign-in needs one too. */
  'authenticator_turned_on',
  'authenticator_turned_off',
  /** The server's operator turned the account's authenticator codes off (a lost phone). */
  'operator_turned_off_codes',
  /** A passkey (`targetDeviceName`: its name) was added or removed on `deviceName`. */
  'passkey_added',
  'passkey_removed',
  /** A passkey's sign counter went back: a copy of it was used; it signs nothing in since. */
  'passkey_cloned',
]);
export type SecurityEventType = z.infer<typeof SecurityEventType>;

export const SecurityEvent = z.strictObject({
  id: z.string(),
  type: SecurityEventType,
  at: Timestamp,
  /** The device that acted (or, for an eviction, the device that signed in). */
  deviceName: z.string(),
  platform: Platform,
  ip: z.string(),
  location: Location,
  /** The device acted on, where there is one. */
  targetDeviceName: z.string().optional(),
  /** How many sessions were ended, for bulk events. */
  count: z.number().int().nonnegative().optional(),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;

export const SECURITY_EVENTS_PAGE = 50;
/** Security event ids: ordered by time, so a page ends where the next begins. */
export const SecurityEventId = z.string().regex(/^[0-9a-z]{14}[0-9a-f]{12}$/, rule('not_valid', 'securityEventId'));

/** `GET /v1/security-events?before=<id>&limit=<n>[&session=<id>]`: newest first, a page at a time. */
export const SecurityEventsQuery = z.strictObject({
  before: SecurityEventId.optional(),
  /** Only what this session's device did (the device detail view). */
  session: SessionId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(SECURITY_EVENTS_PAGE),
});
export type SecurityEventsQuery = z.input<typeof SecurityEventsQuery>;

export const SecurityEventList = z.strictObject({
  events: z.array(SecurityEvent),
  /** Pass as `before` for the next, older page; absent on the last page. */
  nextBefore: SecurityEventId.optional(),
});
export type SecurityEventList = z.infer<typeof SecurityEventList>;

export const ErrorCode = z.enum([
  'validation_failed',
  /** A mailed code that is not right; `code_expired`: one that ended (expired, used, or tried too often). */
  'invalid_code',
  'code_expired',
  /** A password reset on an account with sign-in approval on needs one of its recovery codes too. */
  'invalid_credentials',
  'rate_limited',
  'unauthenticated',
  'session_revoked',
  'session_expired',
  'invalid_password',
  'reauth_required',
  'registration_closed',
  'account_disabled',
  'too_many_connections',
  'misdirected_request',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'bad_request',
  'unavailable',
  'internal',
  /** New sign-ins to the account are paused (denied requests); see `retryAfterSeconds`. */
  'sign_in_paused',
  'invalid_recovery_code',
  /** The caller may not do this (a session too new to answer a sign-in request). */
  'forbidden',
  /** A request with the account page's cookie that did not come from the page (Origin, custom header). */
  'cross_site',
  /** The account page over plain http to a server that is not on loopback: no cookie is set there. */
  'insecure_connection',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The status each error code comes with (`bad_request` also with 414, a URL too long to read). */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  validation_failed: 400,
  bad_request: 400,
  invalid_code: 401,
  invalid_credentials: 401,
  invalid_recovery_code: 401,
  unauthenticated: 401,
  session_revoked: 401,
  session_expired: 401,
  invalid_password: 403,
  reauth_required: 403,
  registration_closed: 403,
  account_disabled: 403,
  forbidden: 403,
  cross_site: 403,
  insecure_connection: 403,
  not_found: 404,
  conflict: 409,
  code_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  misdirected_request: 421,
  rate_limited: 429,
  sign_in_paused: 429,
  too_many_connections: 429,
  internal: 500,
  unavailable: 503,
};

/**
 * Text a server puts into a sentence of the client's (a device's name, a path) is held to what it can be, so that
 * no server's words pass for the client's own: a name without line breaks, quotes or invisible characters; a
 * method and a path without spaces. Anything else is no key, and the client shows the server's English as it came.
 */
const SaidName = z
  .string()
  .regex(/^[^\n'"“”„‚‘’«»]{1,64}$/)
  .refine((name) => !hasUnsafeText(name));
const SaidMethod = z.string().regex(/^[A-Z]{1,16}$/);
const SaidPath = z.string().regex(/^\/[\x21-\x7e]{0,200}$/);

/**
 * What an error says, by key: its words, in each language, are in shared/messages (`errors`), and the server's
 * `message` is the English of the same key. Keys with a number or a name carry it; nothing else does.
 */
export const ErrorSay = z.discriminatedUnion('key', [
  z.strictObject({
    key: z.enum([
      'hashing_busy',
      'code_or_password_wrong',
      'credentials_wrong',
      'account_made_meanwhile',
      'registration_closed',
      'recovery_code_wrong',
      'address_already_confirmed',
      'browser_not_rotated',
      'password_wrong',
      'current_password_wrong',
      'no_file',
      'page_not_built',
      'insecure_connection',
      'cross_site_request',
      'cross_site_connection',
      'misdirected_host',
      'duplicate_host',
      'absolute_target',
      'code_wrong',
      'code_ended',
      'server_fault',
      'store_unreachable',
      'store_busy',
      'body_too_large',
      'json_only',
      'body_empty',
      'body_not_json',
      'content_length_mismatch',
      'bad_url',
      'url_too_long',
      'request_invalid',
      'sign_in_needed',
      'not_found',
      'too_many_requests',
      'account_disabled',
      'shutting_down',
      'server_full',
      'session_expired',
      'token_copied',
      'signed_out',
      'rotation_conflict',
      'no_such_session',
      'no_such_request',
      'request_ended_sign_in_again',
      'request_ended',
      'request_expired',
      'request_answered',
      'approval_first',
      'device_too_new',
      'authenticator_setup_ended',
      'authenticator_already_on',
      'authenticator_code_wrong',
      'second_factor_wrong',
      'second_factor_ended',
      'passkey_ceremony_ended',
      'passkey_not_verified',
      'passkey_refused',
      'no_such_passkey',
      'too_many_passkeys',
    ]),
  }),
  /** A 429's sentence names its wait (also in `retryAfterSeconds`), at most a day. */
  z.strictObject({
    key: z.enum(['too_many_attempts', 'too_many_accounts', 'sign_ins_paused', 'asked_recently', 'too_many_requests_here']),
    seconds: z.number().int().positive().max(86_400),
  }),
  z.strictObject({ key: z.literal('too_many_connections'), per: z.enum(['device', 'account', 'address']) }),
  z.strictObject({ key: z.literal('reauth_needed'), minutes: z.number().int().positive().max(1440) }),
  z.strictObject({ key: z.literal('request_answered_on'), device: SaidName }),
  z.strictObject({ key: z.literal('no_route'), method: SaidMethod, path: SaidPath }),
  z.strictObject({ key: z.literal('no_socket_route'), path: SaidPath }),
]);
export type ErrorSay = z.infer<typeof ErrorSay>;

export const ErrorDetail = z.strictObject({ path: z.string(), message: z.string() });
/**
 * Which check refused a detail, by key (`FieldRule`; `message` is its English), and the limit of a length check.
 * In `rules`, beside `details` and in their order, so that clients which parse `details` strictly still read them.
 */
export const DetailRule = z.strictObject({ rule: z.string().max(64).optional(), limit: z.number().int().min(0).max(100_000).optional() });
export type DetailRule = z.infer<typeof DetailRule>;
/** A detail with its rule, as the client passes it on (shared/ipc.ts `IpcError`). */
export const RuledDetail = z.strictObject({ ...ErrorDetail.shape, ...DetailRule.shape });
export type RuledDetail = z.infer<typeof RuledDetail>;
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** The sentence by key (`ErrorSay`); an answer from a server with keys this client does not know has none. */
    say: ErrorSay.optional().catch(undefined),
    details: z.array(ErrorDetail).optional(),
    /** Each detail's rule, in their order; unreadable ones are no rules. */
    rules: z.array(DetailRule).optional().catch(undefined),
    /** On 401 session_revoked / session_expired: why, when and by which device. */
    reason: SignOutReason.optional(),
    revokedAt: Timestamp.optional(),
    revokedBy: RevokedBy.optional(),
    /** On 401 with reason `token_reused`: where the old token was used from, and where the newer one was taken into use. */
    usedFrom: UsedFrom.optional(),
    alsoFrom: UsedFrom.optional(),
    /** On 429: seconds until another attempt is accepted (also in Retry-After). */
    retryAfterSeconds: z.number().int().positive().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Health = z.strictObject({ status: z.literal('ok') });
export type Health = z.infer<typeof Health>;

/** How a sign-in request ended, as the new device and the other devices hear it. */
export const SignInOutcome = z.enum(['approved', 'denied', 'wrong_number', 'expired', 'cancelled', 'recovered']);
export type SignInOutcome = z.infer<typeof SignInOutcome>;

/**
 * `POST /v1/auth/sign-in-requests/:id/wait` (a long poll of up to 25 s): the state of a request as the new
 * device sees it. A closed union: nothing else is ever answered.
 */
/**
 * Nothing of the account's devices (whether any is online): a request made with a wrong password is
 * answered alike, so it would tell anyone who knows the email (docs/architecture.md, "Sign-in approval").
 */
const SignInPending = z.strictObject({
  state: z.literal('pending'),
  expiresAt: Timestamp,
  /** A number this device does not show was picked on that device: a slip is forgiven once (one more try). */
  wrongPick: z.strictObject({ byDeviceName: z.string() }).optional(),
});
const SignInRefused = z.strictObject({ state: z.literal('denied'), reason: z.enum(['denied', 'wrong_number']), byDeviceName: z.string(), at: Timestamp });
const SignInExpired = z.strictObject({ state: z.literal('expired') });
export const SignInRequestState = z.discriminatedUnion('state', [
  SignInPending,
  /** Approved: the new device's session, handed over once. */
  z.strictObject({ state: z.literal('approved'), result: z.strictObject({ token: z.string(), user: User, session: SessionView }), byDeviceName: z.string() }),
  SignInRefused,
  SignInExpired,
]);
export type SignInRequestState = z.infer<typeof SignInRequestState>;

/** `POST /v1/auth/sign-in-requests/:id/recover`: signed in with a recovery code. */
export const RecoveredSignIn = z.strictObject({ token: z.string(), user: User, session: SessionView, recoveryCodesLeft: z.number().int().nonnegative() });
export type RecoveredSignIn = z.infer<typeof RecoveredSignIn>;

// ---- The account page (docs/api.md, "The account page"): its session travels only in an HttpOnly cookie ----

/** Signing in on the account page: the device is the browser, named from its user agent. */
export const WebSignInBody = LoginBody.omit({ device: true });
export type WebSignInBody = z.infer<typeof WebSignInBody>;
/** `POST /v1/web/password-reset/confirm`: `ResetBody` for the account page, whose device is the browser. */
export const WebResetBody = ResetBody.omit({ device: true });
export type WebResetBody = z.input<typeof WebResetBody>;
/** A request's state as the page sees it: approved, the session is in the cookie, never in the body. */
export const WebSignInRequestState = z.discriminatedUnion('state', [
  SignInPending,
  z.strictObject({ state: z.literal('approved'), result: CurrentSession, byDeviceName: z.string() }),
  SignInRefused,
  SignInExpired,
]);
export type WebSignInRequestState = z.infer<typeof WebSignInRequestState>;
/** A recovery code used on the account page: the session is in the cookie. */
export const WebRecoveredSignIn = z.strictObject({ user: User, session: SessionView, recoveryCodesLeft: z.number().int().nonnegative() });
export type WebRecoveredSignIn = z.infer<typeof WebRecoveredSignIn>;

/** A pending request as the account's devices see it (`GET /v1/sign-in-requests`, `signin.requested`). */
export const SignInRequestView = z.strictObject({
  id: SignInRequestId,
  deviceName: z.string(),
  platform: Platform,
  os: z.string().optional(),
  ip: z.string(),
  location: Location,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  /** Three numbers, one of them the one the new device shows. */
  choices: z.array(z.number().int().min(10).max(99)).length(3),
  /** A password reset by email, not a plain sign-in: approving it signs every other device out. */
  reset: z.literal(true).optional(),
  /** A number the new device does not show was picked once, on this device: one more try, then it is a no. */
  wrongPickBy: z.string().optional(),
});
export type SignInRequestView = z.infer<typeof SignInRequestView>;
export const SignInRequestList = z.strictObject({ requests: z.array(SignInRequestView) });
export type SignInRequestList = z.infer<typeof SignInRequestList>;

// Realtime messages, server to client.
export const SessionRevokedMessage = z.strictObject({
  type: z.literal('session.revoked'),
  sessionId: z.string(),
  reason: SignOutReason,
  at: Timestamp,
  by: RevokedBy.optional(),
  usedFrom: UsedFrom.optional(),
  alsoFrom: UsedFrom.optional(),
});
export type SessionRevokedMessage = z.infer<typeof SessionRevokedMessage>;

export const SessionsChangedMessage = z.strictObject({ type: z.literal('sessions.changed') });
export const SessionCreatedMessage = z.strictObject({
  type: z.literal('session.created'),
  session: SessionView,
  /** The session that approved this sign-in (sign-in approval): that device asked for it, so it is no news there. */
  approvedBy: z.string().optional(),
});
export type SessionCreatedMessage = z.infer<typeof SessionCreatedMessage>;

/** A device of the account came online or went offline; lists update in place. */
export const SessionPresenceMessage = z.strictObject({ type: z.literal('session.presence'), sessionId: z.string(), online: z.boolean() });
export type SessionPresenceMessage = z.infer<typeof SessionPresenceMessage>;

/**
 * To the account's other devices: an old token of one device was used after it had been replaced, so
 * someone holds a copy of that device's sign-in. That device has been signed out.
 */
export const TokenReusedMessage = z.strictObject({
  type: z.literal('session.token_reused'),
  sessionId: z.string(),
  deviceName: z.string(),
  platform: Platform,
  /** Where the old token was used from. */
  usedFrom: UsedFrom,
  /** Where the token that replaced it was first used from, when that was somewhere else. */
  alsoFrom: UsedFrom.optional(),
  at: Timestamp,
});
export type TokenReusedMessage = z.infer<typeof TokenReusedMessage>;

/** A new device asks to sign in to the account: every device shows the prompt until one answers. */
export const SignInRequestedMessage = z.strictObject({ type: z.literal('signin.requested'), request: SignInRequestView });
/** A request was answered (here or elsewhere), expired or withdrawn: the prompt goes away everywhere. */
/**
 * `POST /v1/sign-in-requests/:id/answer`: what the answer did. `try_again`: the number picked is not the one
 * the new device shows, the first time for this request; it still waits, and a second wrong pick refuses it.
 */
export const AnswerResult = z.strictObject({
  outcome: z.enum([...SignInOutcome.options, 'try_again']),
  /** With `try_again`: the request as it is asked again (its choices drawn anew), for the device that answered. */
  request: SignInRequestView.optional(),
});
export type AnswerResult = z.infer<typeof AnswerResult>;
export const SignInResolvedMessage = z.strictObject({
  type: z.literal('signin.resolved'),
  id: SignInRequestId,
  outcome: SignInOutcome,
  byDeviceName: z.string().optional(),
});
/** What changed in the account's sign-in approval, told to every device (the one that did it knows already). */
export const AccountChange = z.strictObject({
  what: z.enum([
    'approval_turned_on',
    'approval_turned_off',
    'recovery_codes_regenerated',
    'recovery_code_used',
    'authenticator_turned_on',
    'authenticator_turned_off',
    'passkey_added',
    'passkey_removed',
    'passkey_renamed',
    'passkey_cloned',
  ]),
  /** The session that did it: a recovery code's is the session it signed in. */
  sessionId: z.string(),
  byDeviceName: z.string(),
  at: Timestamp,
  /** After a recovery code was used. */
  recoveryCodesLeft: z.number().int().nonnegative().optional(),
});
export type AccountChange = z.infer<typeof AccountChange>;
/** The account's sign-in approval setting or recovery codes changed. */
export const AccountChangedMessage = z.strictObject({ type: z.literal('account.changed'), change: AccountChange });

export const RealtimeMessage = z.discriminatedUnion('type', [
  SessionRevokedMessage,
  SessionsChangedMessage,
  SessionCreatedMessage,
  SessionPresenceMessage,
  TokenReusedMessage,
  SignInRequestedMessage,
  SignInResolvedMessage,
  AccountChangedMessage,
]);
export type RealtimeMessage = z.infer<typeof RealtimeMessage>;

/** True for a zod message that is a field's rule (`rule()`), not words. */
export function isFieldRule(message: string): message is FieldRule {
  if ((OWN_RULES as readonly string[]).includes(message)) return true;
  const [kind, field, ...rest] = message.split(':');
  return rest.length === 0 && (NAMED_RULES as readonly string[]).includes(kind ?? '') && (FIELD_NAMES as readonly string[]).includes(field ?? '');
}

/** The bound a length check refused at (`min`, `max`), for its words; undefined for any other check. */
export function issueLimit(issue: z.core.$ZodIssue): number | undefined {
  const limit = 'minimum' in issue ? Number(issue.minimum) : 'maximum' in issue ? Number(issue.maximum) : undefined;
  return limit !== undefined && Number.isSafeInteger(limit) && limit >= 0 ? limit : undefined;
}

/**
 * A zod error as the `details` of a validation error: each refusal's path, its rule and limit, and its words as
 * `words` says them (the server: in English). A refusal by a check without a rule keeps zod's own message.
 */
export function issueDetails(error: z.ZodError, words: (detail: RuledDetail) => string): RuledDetail[] {
  return error.issues.map((issue) => {
    const limit = issueLimit(issue);
    const detail: RuledDetail = {
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
      ...(isFieldRule(issue.message) ? { rule: issue.message, ...(limit !== undefined ? { limit } : {}) } : {}),
    };
    return { ...detail, message: words(detail) };
  });
}
