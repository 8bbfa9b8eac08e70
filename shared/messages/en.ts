// Every sentence a person reads in Latch, in English: the windows, the account
// page, the OS notifications, the forced sign-out notice and the mail. The
// other languages (de.ts) have the same shape (`Messages`, ../messages.ts).
// Numbers of things go through Intl.PluralRules in `lang`; dates and times
// through shared/dates.ts.
import type { FieldName, Location, NamedRule, OwnRule, Platform, SecurityEvent, SignOutReason, UsedFrom } from '../api.js';
import type { KeychainStore, Say } from '../ipc.js';

export const lang = 'en';

const plural = new Intl.PluralRules(lang);
/** "1 device", "3 devices". */
const count = (n: number, one: string, other: string) => `${n} ${plural.select(n) === 'one' ? one : other}`;
const regions = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
const q = (name: string) => `'${name}'`;

/** The keychains, inside a sentence: "saved in the macOS Keychain". */
const keychainNames: Record<KeychainStore, string> = {
  macos: 'the macOS Keychain',
  windows: 'Windows Credential Manager',
  // What a person knows it as, not the protocol's name ("Secret Service"); GNOME Keyring and KWallet both are one.
  secret_service: 'the system keyring',
  browser: 'this browser',
};
const keychainName = (store: KeychainStore | undefined) => (store ? keychainNames[store] : 'the OS keychain');

const platformNames: Record<Platform, string> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux', other: 'Other' };

/**
 * "London, United Kingdom", "This computer", "Local network"; undefined when nothing is known.
 * Inside a sentence ("… from this computer") the first two are lower case.
 */
function place(location: Location | undefined, inSentence = false): string | undefined {
  if (!location) return undefined;
  switch (location.kind) {
    case 'this_computer':
      return inSentence ? 'this computer' : 'This computer';
    case 'local_network':
      return inSentence ? 'the local network' : 'Local network';
    case 'internet': {
      const country = location.country ? regions.of(location.country) : undefined;
      return [location.city, country].filter(Boolean).join(', ') || undefined;
    }
    case 'unknown':
      return undefined;
  }
}

/** "81.2.69.142 (London, United Kingdom)": an address and, where known, roughly where it is. */
function usedFrom(from: UsedFrom): string {
  const where = place(from.location, true);
  return where ? `${from.ip} (${where})` : from.ip;
}

/**
 * Where a copied sign-in was used. The server cannot tell the owner's copy from the thief's, so when it
 * knows both places it names both; otherwise the one where the old copy was used.
 */
function usedIn(when: string, whose: string, from: string | undefined, alsoFrom: string | undefined): string {
  if (from && alsoFrom) return `${when} ${whose} was in use in two places at once, ${from} and ${alsoFrom}: one of them is a copy.`;
  return `${when} someone used a copy of ${whose}${from ? ` from ${from}` : ''}.`;
}

function noticeTitle(reason: SignOutReason): string {
  if (reason === 'expired') return 'Time to sign in again';
  return reason === 'token_reused' ? 'Signed out to protect your account' : 'Signed out';
}

/** Who signed this device out and why, for the notice and the OS notification. `time` is already formatted. */
function noticeText(reason: SignOutReason, time: string, by: string | undefined, byPlace: string | undefined, alsoFrom?: string): string {
  switch (reason) {
    case 'revoked_by_user':
      return by ? `Signed out from ${q(by)} at ${time}` : `Signed out from another device at ${time}`;
    case 'password_changed':
      return by ? `Your password was changed on another device (${q(by)}) at ${time}` : `Your password was changed on another device at ${time}`;
    case 'password_reset':
      return by ? `Your password was reset by email on ${q(by)} at ${time}` : `Your password was reset by email at ${time}`;
    case 'expired':
      return 'Latch signs a device out after a while unused, and after a few months in any case. Sign in again to continue.';
    case 'evicted':
      if (!by) return `Signed out at ${time} because too many devices were signed in`;
      return `Signed out at ${time} to make room for ${q(by)} signing in${byPlace ? ` from ${byPlace}` : ''}: too many devices were signed in`;
    case 'signed_out':
      return `This device was signed out at ${time}`;
    case 'token_reused':
      return `${usedIn(`At ${time}`, 'the key that kept this device signed in', byPlace, alsoFrom)} Latch signed this device out to protect your account. Sign in again, then change your password.`;
    case 'revoked_by_operator':
      return `Signed out by the server's operator at ${time}`;
    case 'account_disabled':
      return `The server's operator disabled this account at ${time}, and every device was signed out. Ask them to enable it.`;
  }
}

function activity(event: SecurityEvent): string {
  const by = q(event.deviceName);
  const others = (n: number) => count(n, 'other device', 'other devices');
  switch (event.type) {
    case 'account_created':
      return `Account created on ${by}`;
    case 'signed_in':
      return `Signed in on ${by}`;
    case 'signed_out':
      return `${by} signed out`;
    case 'session_revoked':
      return `${by} signed out ${event.targetDeviceName ? q(event.targetDeviceName) : 'a device'}`;
    case 'other_sessions_revoked':
      return `${by} signed out ${others(event.count ?? 0)}`;
    case 'password_changed':
      return event.count ? `Password changed on ${by}; ${others(event.count)} signed out` : `Password changed on ${by}`;
    case 'session_evicted':
      return `${event.targetDeviceName ? q(event.targetDeviceName) : 'A device'} signed out to make room for ${by}: too many devices`;
    case 'token_reused':
      return `${by} signed out: a copy of the key that kept it signed in was used elsewhere`;
    case 'approval_turned_on':
      return `Sign-in approval turned on on ${by}`;
    case 'approval_turned_off':
      return `Sign-in approval turned off on ${by}`;
    case 'recovery_codes_regenerated':
      return `New recovery codes made on ${by}`;
    case 'authenticator_turned_on':
      return `Authenticator app codes turned on on ${by}`;
    case 'authenticator_turned_off':
      return `Authenticator app codes turned off on ${by}`;
    case 'sign_in_approved':
      return `${by} approved ${event.targetDeviceName ? q(event.targetDeviceName) : 'a new device'} signing in`;
    case 'sign_in_denied':
      return `${by} denied ${event.targetDeviceName ? q(event.targetDeviceName) : 'a new device'} signing in`;
    case 'sign_in_wrong_pick':
      return `${by} picked a number ${event.targetDeviceName ? q(event.targetDeviceName) : 'the new device'} did not show; it was asked again`;
    case 'sign_in_expired':
      return `${by} asked to sign in, and no device answered in time`;
    case 'sign_in_wrong_number':
      return `${event.targetDeviceName ? q(event.targetDeviceName) : 'A new device'} was not approved: the wrong number was picked twice, the second time on ${by}`;
    case 'recovery_code_used':
      return `${by} signed in with a recovery code; ${count(event.count ?? 0, 'code', 'codes')} left`;
    case 'password_reset':
      return event.count ? `Password reset by email on ${by}; ${others(event.count)} signed out` : `Password reset by email on ${by}`;
    case 'email_verified':
      return `Email address confirmed on ${by}`;
    case 'sign_in_mail_changed':
      return event.count ? `New sign-in alerts by email turned on on ${by}` : `New sign-in alerts by email turned off on ${by}`;
    case 'operator_signed_out':
      return event.targetDeviceName ? `The server's operator signed out ${q(event.targetDeviceName)}` : `The server's operator signed out ${count(event.count ?? 0, 'device', 'devices')}`;
    case 'account_disabled':
      return `The server's operator disabled the account; ${count(event.count ?? 0, 'device', 'devices')} signed out`;
    case 'account_enabled':
      return "The server's operator enabled the account again";
    case 'operator_sent_reset':
      return "The server's operator had a password reset code mailed to the account's address";
    case 'operator_turned_off_codes':
      return "The server's operator turned authenticator app codes off";
    case 'passkey_added':
      return `Passkey ${q(event.targetDeviceName ?? '')} added on ${by}`;
    case 'passkey_removed':
      return `Passkey ${q(event.targetDeviceName ?? '')} removed on ${by}`;
    case 'passkey_cloned':
      return `Passkey ${q(event.targetDeviceName ?? '')} was copied: its counter went back, and it no longer signs in`;
  }
}

/** Why a device in "Recently signed out" ended. */
function endedBecause(reason: SignOutReason, by: string | undefined): string {
  switch (reason) {
    case 'revoked_by_user':
      return by ? `Signed out from ${q(by)}` : 'Signed out from another device';
    case 'signed_out':
      return 'Signed out on the device itself';
    case 'password_changed':
      return by ? `Password changed on ${q(by)}` : 'Password changed';
    case 'password_reset':
      return by ? `Password reset by email on ${q(by)}` : 'Password reset by email';
    case 'expired':
      return 'Timed out';
    case 'evicted':
      return by ? `Made room for ${q(by)}: too many devices` : 'Too many devices were signed in';
    case 'token_reused':
      return 'A copy of the key that kept it signed in was used elsewhere';
    case 'revoked_by_operator':
      return "Signed out by the server's operator";
    case 'account_disabled':
      return "The server's operator disabled the account";
  }
}

/** The variant of `Say` with key `K`. */
type SayOf<K> = Say extends infer V ? (V extends { key: infer VK } ? (K extends VK ? V : never) : never) : never;
/** Words for every key: a sentence, or one made from what the key carries. */
type SayWords = { readonly [K in Say['key']]: Exclude<keyof SayOf<K>, 'key'> extends never ? string : (say: SayOf<K>) => string };
type FieldRuleWords = { readonly [K in NamedRule]: (field: string, n: number) => string } & { readonly [K in OwnRule]: string };

export const en = {
  lang,
  appName: 'Latch',
  platformNames,
  place,
  usedFrom,
  /** Every error's sentence, by its key (shared/api.ts `ErrorSay`, the server's; shared/ipc.ts `CoreSay`, the client's). */
  errors: {
    hashing_busy: 'The server is busy checking other sign-ins. Try again in a few seconds.',
    code_or_password_wrong: 'That code or the password is not right. Check both and try again.',
    credentials_wrong: 'The email or password is not right.',
    account_made_meanwhile: 'An account with this address was made meanwhile. Sign in instead.',
    registration_closed: 'This server does not take new accounts. Ask its operator to create one for you.',
    recovery_code_wrong: 'That recovery code is not right, or it has been used.',
    address_already_confirmed: 'This address is already confirmed.',
    browser_not_rotated: 'A browser’s session is not rotated.',
    password_wrong: 'That password is not right.',
    current_password_wrong: 'The current password is not right.',
    no_file: 'There is no such file.',
    page_not_built: 'The account page is not built on this server. Run `npm run build:app`, or install the packed server, which carries it.',
    insecure_connection: 'The account page signs in only over https (or on the computer the server runs on). Open it with https://.',
    cross_site_request: 'This request did not come from the account page, so it was refused.',
    cross_site_connection: 'This connection did not come from the account page, so it was refused.',
    misdirected_host: 'This server does not answer to that host name. Use the address it was started with.',
    duplicate_host: 'The request names its Host more than once.',
    absolute_target: 'Send the path alone as the request target, with the host in the Host header.',
    code_wrong: 'That code is not right. Check the mail and type it again.',
    code_ended: 'That code has expired, was used, or was tried too many times. Ask for a new one.',
    server_fault: 'Something went wrong on the server.',
    store_unreachable: 'The session store is unreachable. Try again shortly.',
    store_busy: 'The session store is busy with other work. Try again in a few seconds.',
    body_too_large: 'The request body is larger than 16 KiB.',
    json_only: 'Send the request body as application/json.',
    body_empty: 'The request body is empty; send a JSON object.',
    body_not_json: 'The request body is not valid JSON.',
    content_length_mismatch: 'The Content-Length header does not match the body.',
    bad_url: 'The URL is not valid.',
    url_too_long: 'The URL is too long.',
    request_invalid: 'The request is not valid.',
    sign_in_needed: 'Sign in to continue.',
    not_found: 'Not found.',
    too_many_requests: 'Too many requests.',
    account_disabled: "This account is disabled by the server's operator, so it cannot sign in. Ask them to enable it.",
    shutting_down: 'The server is shutting down.',
    server_full: 'This server holds as many live connections as it can. Latch will try again shortly.',
    session_expired: 'This session has expired. Sign in again.',
    token_copied: 'This sign-in was used somewhere else, so it was signed out to protect the account.',
    signed_out: 'This session was signed out.',
    rotation_conflict: 'This sign-in changed while it was being renewed. Try again.',
    no_such_session: 'No active session with that id.',
    no_such_request: 'This sign-in request does not exist. Sign in again.',
    request_ended_sign_in_again: 'This sign-in request has ended. Sign in again.',
    request_ended: 'This sign-in request has ended.',
    request_expired: 'This sign-in request has expired.',
    request_answered: 'This sign-in request was already answered on another device.',
    approval_first: 'Turn on sign-in approval or authenticator app codes first: recovery codes are for them.',
    authenticator_setup_ended: 'This setup has ended. Start again: a new QR code will be shown.',
    authenticator_already_on: 'Authenticator codes are already on. To move them to another app, turn them off first, then set the new app up.',
    authenticator_code_wrong: 'That code is not the one your authenticator app shows now. Check the app and try again.',
    second_factor_wrong:
      'That code is not right, or was used already. Enter the 6 digits your authenticator app shows now (after a code you just used, wait for the next one), or one of your recovery codes.',
    second_factor_ended: 'This sign-in has ended: too many tries, or more than 5 minutes. Sign in with your password again.',
    passkey_ceremony_ended: 'This passkey request has ended (it is good for 5 minutes, once). Try again.',
    passkey_not_verified: 'The passkey could not be checked. Try again, or with another authenticator.',
    passkey_refused: 'That passkey does not sign in here: it is not one of an account on this server, or it was removed.',
    no_such_passkey: 'The account has no such passkey.',
    too_many_passkeys: 'An account can have at most 20 passkeys. Remove one to add another.',
    device_too_new: 'Only a device that was signed in before this request was made can answer it.',
    too_many_attempts: ({ seconds }: { seconds: number }) => `Too many sign-in attempts. Try again in ${count(seconds, 'second', 'seconds')}.`,
    too_many_accounts: ({ seconds }: { seconds: number }) => `Too many new accounts from this address. Try again in ${count(seconds, 'second', 'seconds')}.`,
    sign_ins_paused: ({ seconds }: { seconds: number }) =>
      `New sign-ins to this account are paused for ${seconds < 60 ? count(seconds, 'second', 'seconds') : seconds <= 60 ? 'a minute' : count(Math.ceil(seconds / 60), 'minute', 'minutes')}, because sign-in requests were refused on its devices.`,
    asked_recently: ({ seconds }: { seconds: number }) => `Your devices were asked a moment ago. Ask again in ${count(seconds, 'second', 'seconds')}.`,
    too_many_requests_here: ({ seconds }: { seconds: number }) =>
      `Too many sign-in requests from this network for this account. Answer them on a signed-in device, or wait ${seconds >= 120 ? count(Math.round(seconds / 60), 'minute', 'minutes') : count(seconds, 'second', 'seconds')}.`,
    too_many_connections: ({ per }: { per: 'device' | 'account' | 'address' }) =>
      `Too many live connections ${per === 'device' ? 'for this device' : per === 'account' ? 'for this account' : 'from this network address'}. Close another Latch window or device and try again.`,
    reauth_needed: ({ minutes }: { minutes: number }) => `Enter your password to continue: signing out other devices needs it from the last ${count(minutes, 'minute', 'minutes')}.`,
    request_answered_on: ({ device }: { device: string }) => `This sign-in request was already answered on ${q(device)}.`,
    no_route: ({ method, path }: { method: string; path: string }) => `There is no route ${method} ${path}.`,
    no_socket_route: ({ path }: { path: string }) => `There is no WebSocket endpoint at ${path}.`,
    // The client's own.
    server_url_not_url: 'Enter the server address as a URL, such as https://latch.example.com.',
    server_url_scheme: 'The server address must start with https:// (or http:// for this computer).',
    plain_http_elsewhere: ({ host, hostname }: { host: string; hostname: string }) => `Latch only uses plain http on this computer. Use https://${host} to reach ${hostname}.`,
    already_signed_in: 'This device is already signed in. Sign out first.',
    sign_in_under_way: 'Signing in is already under way.',
    still_starting: 'Latch is still starting. Try again in a moment.',
    no_code_wait: 'No sign-in is waiting for a code. Sign in again.',
    no_approval_wait: 'No sign-in is waiting for approval.',
    sign_out_first: 'Sign out first.',
    not_signed_in: 'You are not signed in.',
    server_not_answering: 'The server is not answering right now. Latch will keep trying.',
    server_too_slow: 'The server took too long to answer.',
    unreachable_check_address: 'The server cannot be reached. Check the address and your connection.',
    unreachable_check_connection: 'The server cannot be reached. Check your connection and try again.',
    answer_not_understood: ({ method, path }: { method: string; path: string }) => `The server sent an answer Latch does not understand (${method} ${path}).`,
    status_not_understood: ({ status }: { status: number }) => `The server answered ${status} without an error Latch understands.`,
    not_on_page: 'Create an account in the Latch desktop app.',
    browser_signed_out: 'This browser was signed out.',
    outside_contract: 'Latch produced an answer outside its contract.',
    client_fault: 'Something went wrong in Latch. Try again.',
    page_forbidden: 'This page may not talk to Latch.',
    bridge_lost: 'Latch lost contact with its background process. Restart the app.',
  } satisfies SayWords,
  /**
   * What an error without a key says in this language (a server's that this client does not know), by its code;
   * undefined: as it came.
   */
  saidByCode: (_error: { code?: string; retryAfterSeconds?: number | undefined }): string | undefined => undefined,
  /** The fields the rules name (shared/api.ts `FieldName`), at the start of a sentence. */
  fieldNames: {
    deviceName: 'Device name',
    os: 'OS',
    appVersion: 'App version',
    email: 'Email',
    password: 'Password',
    newPassword: 'New password',
    currentPassword: 'Current password',
    codeId: 'Code id',
    rotationClaim: 'Rotation claim',
    signInRequestId: 'Sign-in request id',
    requestSecret: 'Sign-in request secret',
    sessionId: 'Session id',
    securityEventId: 'Security event id',
    passkeyResponse: "The authenticator's answer",
  } satisfies Record<FieldName, string>,
  /** A field's refusal, by its rule (shared/api.ts `FieldRule`): with the field's name and the check's limit, or its own. */
  fieldRules: {
    required: (field: string) => `${field} must not be empty`,
    too_short: (field: string, n: number) => `${field} must be at least ${n} characters`,
    too_long: (field: string, n: number) => `${field} must be at most ${n} characters`,
    unsafe_text: (field: string) => `${field} must not contain control, invisible or text-direction characters`,
    no_visible: (field: string) => `${field} must contain a letter, digit or symbol`,
    not_valid: (field: string) => `${field} is not valid`,
    os_chars: 'OS must be letters, digits, spaces and . , : ( ) + / _ - only',
    email_format: 'Enter a valid email address',
    enter_email: 'Enter your email',
    enter_password: 'Enter your password',
    enter_current_password: 'Enter your current password',
    enter_new_password: 'Enter a new password',
    enter_server_url: 'Enter the server address',
    server_url_too_long: 'The server address is too long',
    enter_code: 'Enter the code from the mail',
    code_digits: 'The code is the 6 digits in the mail',
    recovery_code: 'A recovery code is 10 letters and digits, like 7k2m9-qx4rt',
    second_factor_code: 'Enter the 6 digits from your authenticator app, or a recovery code like 7k2m9-qx4rt',
    app_code_digits: 'Enter the 6 digits your app shows now',
  } satisfies FieldRuleWords,
  /** Why the OS keychain is not used: which one, what it answered (as it came) and what to do. */
  keychainUnavailable: (store: KeychainStore | undefined, answered: string | undefined) => {
    const name = keychainName(store);
    const hint = store === 'secret_service' ? 'Install and unlock a keyring: GNOME Keyring or KWallet.' : store === 'macos' ? 'Unlock your login keychain.' : store === 'windows' ? 'Check that Windows Credential Manager is available.' : '';
    return `${name.charAt(0).toUpperCase()}${name.slice(1)} is not available${answered ? ` (${answered})` : ''}. ${hint}`.trim();
  },
  common: {
    cancel: 'Cancel',
    dismiss: 'Dismiss',
    close: 'Close',
    tryAgain: 'Try again',
    password: 'Password',
    enterPassword: 'Enter your password',
    atLeast: (n: number) => `At least ${n} characters.`,
    signOut: 'Sign out',
    signingOut: 'Signing out…',
    loading: 'Loading…',
    /** A setting of the devices window while offline: said instead of "Loading…" for ever. */
    settingOffline: 'This setting cannot load while Latch is offline. It loads when the connection is back.',
    justNow: 'just now',
  },
  connection: { online: 'Online', connecting: 'Reconnecting…', offline: 'Offline' },
  connectionAnnounced: {
    online: 'Connected to the server again.',
    connecting: 'Lost the connection to the server; reconnecting.',
    offline: 'Latch is offline. It reconnects by itself.',
  },
  windowTitle: { main: 'Latch', devices: 'Signed-in devices – Latch' },
  signIn: {
    titleSignIn: 'Sign in to Latch',
    titleCreate: 'Create your Latch account',
    server: 'Server',
    serverHint: 'https://, or http:// on this computer',
    email: 'Email',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    create: 'Create account',
    creating: 'Creating account…',
    switchToCreate: 'Create an account instead',
    switchToSignIn: 'I have an account',
    noKeychain: 'No keychain is available, so you will need to sign in again next time Latch starts.',
    forgot: 'Forgot password?',
    resetTitle: 'Reset your password',
    resetIntro: 'Enter the email of your account. If it has an account on this server, a 6-digit code goes there.',
    sendCode: 'Send code',
    sendingCode: 'Sending code…',
    codeSentTo: (email: string) => `If ${email} has a Latch account, a 6-digit code is on its way. It works for 15 minutes.`,
    code: 'Code from the mail',
    codeHint: '6 digits',
    newPassword: 'New password',
    resetSubmit: 'Set password and sign in',
    resetting: 'Setting password…',
    resetNote: 'Every other device is signed out when the new password is set.',
    back: 'Back to sign in',
    resendCode: 'Send a new code',
    stepUpTitle: 'Enter the code from your mail',
    stepUpText: (email: string) =>
      `Many wrong passwords were tried on ${email} from elsewhere, so signing in from a new place needs the code Latch has just mailed to that address, with your password.`,
    stepUpSubmit: 'Sign in with the code',
    authenticatorTitle: 'Enter a code from your authenticator app',
    authenticatorText: (email: string) => `Your account ${email} also needs a code from an authenticator app. Open the app you set up for Latch and enter the 6 digits it shows now.`,
    authenticatorCode: 'Code from the app',
    authenticatorHint: '6 digits. No phone with you? One of your recovery codes works too.',
    signUpCodeTitle: 'Check your mail',
    signUpCodeText: (email: string) =>
      `Latch sent a 6-digit code to ${email}. Enter it to finish creating your account. (If that address already has an account, the mail says so instead.)`,
    signUpCodeSubmit: 'Create account',
    otherEmail: 'Use another email',
  },
  /** The banner until the account's address is confirmed. */
  verifyEmail: {
    title: 'Confirm your email address',
    text: (email: string) => `Latch mailed a 6-digit code to ${email}. Security alerts and password resets go there, so confirm it is yours.`,
    code: 'Code',
    confirm: 'Confirm',
    confirming: 'Confirming…',
    resend: 'Send a new code',
    resent: (email: string) => `A new code is on its way to ${email}.`,
    confirmed: 'Your email address is confirmed.',
  },
  /** The devices window's mail setting. */
  mailSetting: {
    title: 'Email alerts',
    newSignIns: 'Email me when a device signs in',
    note: 'Password changes, resets and other security alerts are always mailed.',
    unconfirmed: 'Alerts go to your address once it is confirmed.',
    saved: (on: boolean) => (on ? 'Sign-in alerts by email are on.' : 'Sign-in alerts by email are off.'),
  },
  /** The account page, in a browser. */
  page: {
    title: 'Latch account',
    signInTitle: 'Sign in to your Latch account',
    signInIntro: 'See every device signed in to your account, and sign out any of them: a lost laptop, a phone you sold.',
    signedInHere: 'This browser is signed in as',
    signOutHere: 'Sign out of this browser',
    sessionNote: 'This browser stays signed in for a day without use, and a week at most.',
    unreachable: 'The server cannot be reached. Trying again…',
    signingOut: 'Signing out…',
    signOutWaiting:
      'Signed out here, but the server could not be reached to sign this browser out, so it could still get in. This page keeps trying: keep it open until this says it is done, or sign this browser out from another device.',
    signOutDone: 'Done: the server has signed this browser out.',
    titles: { signIn: 'Sign in – Latch account', devices: 'Signed-in devices – Latch account', waiting: 'Waiting for approval – Latch account', signedOut: 'Signed out – Latch account' },
  },
  notice: {
    title: noticeTitle,
    text: noticeText,
  },
  home: {
    signedInAs: 'Signed in as',
    /** Signed in, but the account is not known yet (offline since start, nothing remembered). */
    resuming: 'You are signed in on this device. Your account shows here as soon as Latch reaches the server.',
    thisDeviceLabel: 'This device',
    offlineNote: 'You stay signed in. Latch checks with the server as soon as it can reach it again.',
    keychainSaved: (store: KeychainStore | undefined) => `The key that keeps you signed in is saved in ${keychainName(store)}.`,
    memoryOnly: 'Memory only: you will need to sign in again next time Latch starts.',
    openDevices: 'Signed-in devices…',
    changePassword: 'Change password',
  },
  password: {
    title: 'Change password',
    intro: 'Changing your password signs out every other device.',
    current: 'Current password',
    next: 'New password',
    submit: 'Change password',
    busy: 'Changing…',
    done: (revoked: number) =>
      `Password changed. ${revoked === 0 ? 'No other devices were signed in.' : `${count(revoked, 'other device was', 'other devices were')} signed out.`}`,
    doneButton: 'Done',
  },
  reauth: {
    formLabel: (action: string) => `Confirm with your password to ${action}`,
    hint: (action: string, minutes: number) => `To ${action}, enter your password: you last entered it more than ${minutes} minutes ago.`,
    checking: 'Checking…',
  },
  devices: {
    title: 'Signed-in devices',
    signedOutHere: 'This device is signed out. Sign in from the main window to see your devices.',
    offlineReason: 'Latch is offline, so no device can be signed out right now. It reconnects by itself.',
    offlineDevices: 'Your devices cannot load while Latch is offline. They load when the connection is back.',
    loadingDevices: 'Loading your devices…',
    activeTitle: 'Active devices',
    onlyOne: 'No other device is signed in.',
    signOutOthers: 'Sign out all other devices',
    confirmGroup: 'Confirm signing out all other devices',
    confirmText: (n: number) => `Are you sure? This signs out ${count(n, 'other device', 'other devices')}.`,
    confirmYes: (n: number) => `Yes, sign out ${n}`,
    reauthOthers: (n: number) => `sign out ${count(n, 'other device', 'other devices')}`,
    reauthOthersButton: (n: number) => `Sign out ${n}`,
    reauthOne: (name: string) => `sign out ${q(name)}`,
    confirmOneGroup: (name: string) => `Confirm signing out ${q(name)}`,
    confirmOneText: (name: string) => `Sign out ${q(name)}?`,
    confirmOneYes: (name: string) => `Yes, sign out ${q(name)}`,
    signOutNamed: (name: string, tellApart: string | undefined) => `Sign out ${q(name)}${tellApart ? ` (${tellApart})` : ''}`,
    rename: 'Rename',
    renameLabel: 'Device name',
    save: 'Save',
    enterName: 'Enter a name',
    badge: 'This device',
    appVersion: (version: string) => `Latch ${version}`,
    browserSession: 'Web browser, on the account page',
    browserKind: 'Web browser',
    /** A browser's name in the list, made by the server at sign-in in the page's language: "Firefox on Windows". */
    browserOn: (browser: string, os: string) => `${browser} on ${os}`,
    badgeBrowser: 'This browser',
    activeNow: 'active now',
    thisOffline: 'offline',
    nameTooLong: 'Device name must be at most 64 characters',
    onlineNow: 'online now',
    lastActive: (ago: string) => `last active ${ago}`,
    signedInOn: (date: string) => `signed in ${date}`,
    filterLabel: 'Filter devices',
    filterHint: 'Name, system, place or address',
    sortLabel: 'Sort by',
    sortLastActive: 'Last active',
    sortName: 'Name',
    sortSignedIn: 'Signed in',
    showing: (shown: number, total: number) => `${shown} of ${count(total, 'other device matches', 'other devices match')}`,
    noMatch: (filter: string) => `No other device matches “${filter}”.`,
    attribution: 'Places are estimated from addresses with IP Geolocation by DB-IP (db-ip.com).',
    recentSummary: (n: number | undefined) => (n === undefined ? 'Recently signed out' : `Recently signed out (${n})`),
    recentNone: 'No device was signed out in the last 30 days.',
    recentOffline: 'This list cannot load while Latch is offline.',
    recentEnded: endedBecause,
    recentWhen: (ago: string) => ago,
    // One device's details, opened under its row.
    details: 'Details',
    detailsNamed: (name: string) => `Details for ${q(name)}`,
    detailSystem: 'System',
    detailApp: 'App',
    detailPlace: 'Place',
    detailAddress: 'Address',
    detailSignedIn: 'Signed in',
    detailHow: 'How',
    detailLastActive: 'Last active',
    unknownPlace: 'Not known',
    signedInWith: {
      password: 'With the password',
      password_and_code: 'With the password and a code from an authenticator app',
      passkey: 'With a passkey',
      /** `note`: what tells the approving device from others of its name, or that it has been signed out since. */
      approval: (by: string | undefined, note?: string) =>
        by ? `With the password, approved on ${q(by)}${note ? ` (${note})` : ''}` : 'With the password, approved on another device',
      approverGone: 'signed out since',
      recovery_code: 'With the password and a recovery code',
      password_reset: 'With a new password, set with a code from the mail',
      new_account: 'By creating the account',
      unknown: 'Not recorded: it signed in before Latch kept this',
    },
    deviceActivity: (name: string) => `What ${q(name)} did`,
    deviceActivityNone: 'Nothing in the last 30 days.',
    deviceActivityOffline: 'This cannot load while Latch is offline.',
  },
  activity: {
    title: 'Recent activity',
    offline: 'Recent activity cannot load while Latch is offline. It loads when the connection is back.',
    failed: (why: string) => `Recent activity could not load: ${why}`,
    none: 'Nothing yet.',
    older: 'Show older activity',
    describe: activity,
  },
  alerts: {
    one: 'New sign-in',
    many: (n: number) => `${n} new sign-ins`,
    show: 'Show them',
    hide: 'Hide them',
    signedInFrom: (name: string, what: string, where: string | undefined) => `${q(name)} (${what})${where ? ` from ${where}` : ''}`,
    notMe: "That wasn't me",
    notMeNamed: (name: string) => `That wasn't me: sign out ${q(name)}`,
    dismissNamed: (name: string) => `Dismiss the alert about ${q(name)}`,
    dismissAll: 'Dismiss all',
    announce: (name: string, where: string | undefined) => `New sign-in: ${q(name)}${where ? ` from ${where}` : ''}.`,
    announceMany: (n: number) => `${n} new sign-ins. They are listed at the top of the window.`,
  },
  copied: {
    title: (name: string) => `${q(name)} was signed out to protect your account`,
    text: (name: string, from: string, time: string, alsoFrom?: string) =>
      `${usedIn(`At ${time}`, 'the key that kept it signed in', from, alsoFrom)} Latch signed ${q(name)} out, so no copy works any more. Change your password now, then sign in again on ${q(name)} and check it for programs you do not recognise.`,
    changePassword: 'Change password now',
    dismissNamed: (name: string) => `Dismiss the alert about ${q(name)}`,
    announce: (name: string) => `Security alert: someone used a copy of the key that kept ${q(name)} signed in. Latch signed it out. Change your password.`,
  },
  authenticator: {
    // The setting, in the devices window and on the account page (docs/architecture.md, "Authenticator codes").
    settingTitle: 'Authenticator app',
    settingLabel: 'Ask for a code from an authenticator app when signing in with the password',
    settingOnText: (left: number) =>
      `On. Signing in with the password also needs the 6-digit code your app shows, or a recovery code. ${count(left, 'recovery code', 'recovery codes')} left.`,
    settingOffText: 'Off. No code from an app is asked for.',
    settingOnWithApproval: (left: number) =>
      `On, but while sign-in approval is on it decides: a new device needs a yes from one of your devices or a recovery code, and the app's code is not asked for. ${count(left, 'recovery code', 'recovery codes')} left.`,
    setupEnded: 'This setup has ended. Delete the Latch entry your app just made, then start again.',
    startAgain: 'Start again…',
    turnOn: 'Set up…',
    turnOff: 'Turn off…',
    confirmOn: 'Set up an authenticator app',
    confirmOff: 'Turn off authenticator codes',
    passwordFor: (action: string) => `Enter your password to ${action.charAt(0).toLowerCase()}${action.slice(1)}`,
    scanTitle: 'Scan this QR code with your authenticator app',
    scanText: 'Any authenticator app works, such as 1Password, Google Authenticator, Microsoft Authenticator or Aegis. No camera at hand? Type the key below into the app instead.',
    qrAlt: 'QR code of the key for your authenticator app',
    keyLabel: 'Key to type into the app',
    keyCopy: 'Copy the key',
    keyCopied: 'Key copied. Paste it into the app, then clear the clipboard.',
    keyNotCopied: 'The key could not be copied here: select it and copy it.',
    codeLabel: 'Code the app shows',
    codeHint: '6 digits. Codes stay off until this one is checked.',
    confirmSubmit: 'Check the code and turn on',
    setupEnds: (time: string) => `This setup ends at ${time}.`,
    announceOn: 'Authenticator codes are on.',
    announceOff: 'Authenticator codes are off.',
  },
  passkeys: {
    // The list, in the devices window and on the account page (docs/architecture.md, "Passkeys").
    settingTitle: 'Passkeys',
    settingLabel: 'Sign in with your fingerprint, face, screen lock or a security key instead of the password',
    none: 'None yet. A passkey signs in with no password and no code, and cannot be phished: it works only for this server.',
    some: (n: number) => `${count(n, 'passkey signs', 'passkeys sign')} in to your account with no password and no code.`,
    noneUsable: 'None of your passkeys signs in now.',
    listLabel: 'Your passkeys',
    add: 'Add a passkey…',
    addTitle: 'Add a passkey',
    nameLabel: 'Name for this passkey',
    nameHint: 'So you can tell it apart later, for example "Laptop fingerprint" or "Blue security key".',
    defaultName: 'Passkey',
    create: 'Create the passkey',
    creating: 'Follow what your browser or device asks…',
    added: (name: string) => `Passkey ${q(name)} added.`,
    addedOn: (date: string) => `Added ${date}`,
    lastUsed: (ago: string) => `last used ${ago}`,
    neverUsed: 'not used yet',
    synced: 'Synced by its provider to your other devices',
    copied: 'Someone used a copy of it: it no longer signs in. Remove it, then add a new one.',
    rename: 'Rename',
    renameLabel: (name: string) => `Rename passkey ${q(name)}`,
    renamed: (name: string) => `Passkey renamed to ${q(name)}.`,
    remove: 'Remove…',
    removeLabel: (name: string) => `Remove passkey ${q(name)}`,
    removeAsk: (name: string) => `Remove passkey ${q(name)}? It will no longer sign in. The authenticator may still list it: delete it there too.`,
    removeConfirm: 'Remove the passkey',
    removeAction: 'remove a passkey',
    removed: (name: string) => `Passkey ${q(name)} removed.`,
    addReauthHint: 'Enter your password to add a passkey, even right after signing in: so a copied sign-in cannot add one.',
    addReauthHintWithPasskey: 'Enter your password, or use one of your passkeys, to add a passkey, even right after signing in: so a copied sign-in cannot add one.',
    nameTooLong: 'A passkey name can be at most 64 characters.',
    addAction: 'add a passkey',
    // What the browser's part can say.
    cancelled: 'The passkey request was cancelled or timed out, or the authenticator had no passkey for this account. Nothing changed: try again, or use your password.',
    alreadyHere: 'This authenticator already holds a passkey for your account: it is in the list.',
    wrongAddress: (here: string) =>
      `Passkeys of this server do not work at ${here}. Open this page at the server's own address; for a server on this computer use localhost, not 127.0.0.1.`,
    failed: 'The browser could not make or use a passkey here. Try again, or with another authenticator.',
    noSupport: 'This window cannot use passkeys: its browser engine has no passkey support.',
    noAddress: (accountPage: string | undefined) =>
      `A passkey is tied to a web address, and this app's window has none. Add and use passkeys on your account page in a browser${accountPage ? `: ${accountPage}` : ''}.`,
    // Signing in, and recent authentication.
    signIn: 'Sign in with a passkey',
    signingIn: 'Waiting for your passkey…',
    reauth: 'Use a passkey instead',
    reauthing: 'Waiting for your passkey…',
  },
  approval: {
    // The new device, waiting.
    waitTitle: 'Approve this sign-in on another device',
    waitTitleReset: 'Approve this password reset on another device',
    pick: 'On one of your signed-in devices, pick',
    numberLabel: (n: number) => `The number to pick: ${n}`,
    waitingForPasskey: 'Signing in with a passkey. Sign-in approval is on: Latch asked your signed-in devices; this screen moves on by itself when one answers.',
    waitingFor: (email: string) => `Signing in as ${email}. Latch asked your signed-in devices; this screen moves on by itself when one answers.`,
    waitingForReset: (email: string) =>
      `Resetting the password of ${email}. Sign-in approval is on, so a mailbox alone cannot do it: Latch asked your signed-in devices, and this screen moves on by itself when one answers.`,
    expiresIn: (time: string) => `The request expires in ${time}.`,
    // Said to every waiting device alike: whether any device is online is not told (docs/architecture.md, "Sign-in approval").
    noDeviceAtHand: 'No device at hand? Open Latch on one of your signed-in devices, or use a recovery code.',
    wrongPasswordHint:
      'Nothing on your devices after a few seconds? The password may be wrong. This screen cannot say which, or anyone could test passwords here.',
    retypePassword: 'Type the password again',
    resend: 'Ask my devices again',
    resent: 'Asked again: your signed-in devices show the request now.',
    wrongPickHere: (by: string) => `A different number was picked on ${q(by)}. Pick the number shown here: one more try is left.`,
    useCode: 'Use a recovery code instead',
    codeLabel: 'Recovery code',
    codeFormLabel: 'Sign in with a code',
    codeHint: '10 letters and digits, as on your saved list (the dash is optional).',
    useCodeSubmit: 'Sign in with this code',
    usingCode: 'Checking the code…',
    codesLeft: (n: number) => `Signed in with a recovery code. ${count(n, 'code is', 'codes are')} left${n <= 3 ? ': make new ones in Signed-in devices.' : '.'}`,
    cancel: 'Cancel sign-in',
    cancelReset: 'Cancel the reset',
    // After it ended without a sign-in.
    refusedTitle: { denied: 'Sign-in denied', wrong_number: 'Sign-in not approved', expired: 'Sign-in request expired' },
    refusedText: {
      denied: (by: string | undefined) => `${by ? q(by) : 'One of your devices'} denied this sign-in.`,
      wrong_number: (by: string | undefined) => `The wrong number was picked on ${by ? q(by) : 'your other device'}, so this sign-in was not approved. Sign in again to get a new number.`,
      expired: () => 'No device answered within two minutes. Sign in again, or use a recovery code.',
    },
    // The devices that answer.
    promptTitle: (name: string) => `Is this you signing in on ${q(name)}?`,
    promptTitleReset: (name: string) => `Is this you resetting your password on ${q(name)}?`,
    promptReset: 'Approving sets the new password and signs every other device out, this one included.',
    promptText: (what: string, where: string, time: string) => `${what}, from ${where}, at ${time}.`,
    promptPick: 'If it is you, pick the number that device shows. If not, deny it.',
    pickNamed: (n: number) => `Pick ${n}`,
    deny: 'No, deny',
    denied: 'Denied. If you did not try to sign in, someone knows your password: change it now.',
    notApproved:
      'Not approved: the wrong number was picked twice. If it was you, sign in again on that device for a new number. If it was not you, someone knows your password: change it now.',
    wrongPickPrompt: (name: string, by: string) =>
      `That was not the number ${q(name)} shows (picked on ${q(by)}). Look at it again: one more wrong number and this sign-in is not approved.`,
    changePassword: 'Change password now',
    answeredElsewhere: 'This request was already answered on another device.',
    approvedAnnounce: (name: string) => `Approved: ${q(name)} is signing in. It is in your devices, and in recent activity.`,
    // The setting, in the devices window.
    settingTitle: 'Sign-in approval',
    settingLabel: 'Ask one of my signed-in devices before a new device signs in',
    settingOnText: (left: number) => `On. A new device needs a yes from one of your devices, or a recovery code. ${count(left, 'recovery code', 'recovery codes')} left.`,
    settingOffText: 'Off. Your password alone signs in a new device.',
    turnOn: 'Turn on…',
    turnOff: 'Turn off…',
    newCodes: 'New recovery codes…',
    confirmOn: 'Turn on sign-in approval',
    confirmOff: 'Turn off sign-in approval',
    confirmCodes: 'Make new recovery codes',
    passwordFor: (action: string) => `Enter your password to ${action.charAt(0).toLowerCase()}${action.slice(1)}`,
    codesTitle: 'Your recovery codes',
    codesCopy: 'Copy',
    codesSave: 'Save as a file',
    codesPrint: 'Print',
    codesCopied: 'Copied. Paste them into your password manager, then clear the clipboard.',
    codesNotCopied: 'They could not be copied here: select them and copy, or save them as a file.',
    codesFileHeader:
      'Latch recovery codes. Each signs in one new device once, in place of a yes from one of your devices or a code from your authenticator app. Keep them safe.',
    codesText:
      'Each code signs in one new device once, in place of a yes from one of your devices or a code from your authenticator app. Save them somewhere safe now: they are not shown again.',
    codesSaved: 'I have saved them',
    announceRequest: (name: string) => `Sign-in request from ${q(name)}. Is it you?`,
    announceOn: 'Sign-in approval is on.',
    announceOff: 'Sign-in approval is off.',
    // Told to the other devices when one of them changed the setting or its codes.
    announceChange: {
      approval_turned_on: (by: string) => `Sign-in approval was turned on on ${q(by)}.`,
      approval_turned_off: (by: string) => `Sign-in approval was turned off on ${q(by)}.`,
      recovery_codes_regenerated: (by: string) => `New recovery codes were made on ${q(by)}.`,
      recovery_code_used: (by: string) => `${q(by)} signed in with a recovery code.`,
      authenticator_turned_on: (by: string) => `Authenticator app codes were turned on on ${q(by)}.`,
      authenticator_turned_off: (by: string) => `Authenticator app codes were turned off on ${q(by)}.`,
      passkey_added: (by: string) => `A passkey was added on ${q(by)}.`,
      passkey_removed: (by: string) => `A passkey was removed on ${q(by)}.`,
      passkey_renamed: (by: string) => `A passkey was renamed on ${q(by)}.`,
      passkey_cloned: (name: string) => `Passkey ${q(name)} was copied, and no longer signs in.`,
    },
    changeTitle: {
      approval_turned_on: 'Latch: sign-in approval turned on',
      approval_turned_off: 'Latch: sign-in approval turned off',
      recovery_codes_regenerated: 'Latch: new recovery codes',
      recovery_code_used: 'Latch: a recovery code was used',
      authenticator_turned_on: 'Latch: authenticator app codes turned on',
      authenticator_turned_off: 'Latch: authenticator app codes turned off',
      passkey_added: 'Latch: a passkey was added',
      passkey_removed: 'Latch: a passkey was removed',
      passkey_renamed: 'Latch: a passkey was renamed',
      passkey_cloned: 'Latch: a copied passkey was used',
    },
    changeText: {
      passkey_added: (by: string, time: string) => `Added on ${q(by)} at ${time}: it signs in to your account with no password. Not you? Remove it in Signed-in devices and change your password.`,
      passkey_removed: (by: string, time: string) => `Removed on ${q(by)} at ${time}.`,
      passkey_renamed: (by: string, time: string) => `Renamed on ${q(by)} at ${time}.`,
      passkey_cloned: (name: string, time: string) =>
        `At ${time} passkey ${q(name)} was used with a counter lower than before: someone has a copy of it. It no longer signs in; remove it and make a new one.`,
      authenticator_turned_on: (by: string, time: string) => `Turned on on ${q(by)} at ${time}. Signing in with the password now also needs a code from the authenticator app, or a recovery code.`,
      authenticator_turned_off: (by: string, time: string) =>
        `Turned off on ${q(by)} at ${time}. Signing in no longer needs a code from the authenticator app. Not you? Change your password.`,
      approval_turned_on: (by: string, time: string) => `Turned on on ${q(by)} at ${time}. A new device now needs a yes from one of your devices, or a recovery code.`,
      approval_turned_off: (by: string, time: string) =>
        `Turned off on ${q(by)} at ${time}. Your password alone now signs in a new device. Not you? Change your password.`,
      recovery_codes_regenerated: (by: string, time: string) =>
        `New recovery codes were made on ${q(by)} at ${time}; the old ones no longer work. Not you? Change your password.`,
      recovery_code_used: (by: string, time: string, left?: number) =>
        `${q(by)} signed in with a recovery code at ${time}${left === undefined ? '' : `; ${count(left, 'code is', 'codes are')} left`}. Not you? Sign it out in Signed-in devices and change your password.`,
    },
  },
  announce: {
    signedOut: (name: string) => `${q(name)} signed out.`,
    signedOutOthers: (n: number) => `${count(n, 'other device', 'other devices')} signed out.`,
    signedOutElsewhere: (name: string) => `${q(name)} was signed out.`,
    signedInElsewhere: (name: string) => `${q(name)} signed in.`,
    renamed: (name: string) => `This device is now called ${q(name)}.`,
    alertsDismissed: 'All new sign-in alerts dismissed.',
  },
  notification: {
    newSignInTitle: 'Latch: new sign-in',
    newSignInBody: (name: string, what: string, where: string) => `${q(name)} (${what}) signed in from ${where}. Not you? Open Signed-in devices to sign it out.`,
    forcedTitle: (reason: SignOutReason) => `Latch: ${noticeTitle(reason)}`,
    signInRequestTitle: 'Latch: is this you signing in?',
    signInRequestBody: (name: string, where: string) => `${q(name)} wants to sign in to your account from ${where}. Open Latch to approve or deny it.`,
    copiedTitle: 'Latch: a copied key was used',
    copiedBody: (name: string, from: string, alsoFrom?: string) =>
      `${usedIn('', `the key that kept ${q(name)} signed in`, from, alsoFrom).trimStart().replace(/^./, (c) => c.toUpperCase())} Latch signed it out. Change your password.`,
  },
  /**
   * Mail the server sends (server/mail/templates.ts makes the plain text and the HTML from these). A
   * message is a subject and paragraphs; `code` is shown large in the HTML and on a line of its own in text.
   */
  mail: {
    footer: (server: string) => `This mail was sent by the Latch server at ${server}. Latch never asks for your password by mail.`,
    minutes: (n: number) => count(n, 'minute', 'minutes'),
    signUpCode: {
      subject: (code: string) => `${code} is your Latch code`,
      lines: (minutes: string) => [`Enter this code in Latch to finish creating your account. It works once, for ${minutes}.`],
      after: ['If you did not ask for an account, ignore this mail: nothing is made without the code.'],
    },
    alreadyRegistered: {
      subject: 'You already have a Latch account',
      lines: (email: string) => [
        `Someone, probably you, asked to create a Latch account for ${email}. You already have one, so nothing was made.`,
        'Sign in with your password. Forgotten it? Choose "Forgot password?" on the sign-in screen, and a code comes by mail.',
      ],
    },
    resetCode: {
      subject: (code: string) => `${code} is your Latch password reset code`,
      lines: (minutes: string) => [`Enter this code in Latch to choose a new password. It works once, for ${minutes}.`],
      after: ['Choosing a new password signs out every other device. If you did not ask for this, ignore this mail: your password stays as it is.'],
    },
    operatorReset: {
      lines: (minutes: string) => [`Your Latch server's operator sent you this code to choose a new password, as you asked them. It works once, for ${minutes}.`],
      link: 'Choose a new password on the account page',
      inApp: 'In the Latch app, "Forgot password?" mails you a new code instead.',
    },
    stepUpCode: {
      subject: (code: string) => `${code} finishes your Latch sign-in`,
      lines: (minutes: string) => [
        `Many wrong passwords were tried on your Latch account from places you have not signed in from, so a sign-in from a new place needs this code as well as your password. It works for ${minutes}.`,
      ],
      after: ['If you are not signing in, do not share it with anyone: without it, nobody elsewhere can even try your password. You need do nothing else.'],
    },
    verifyCode: {
      subject: (code: string) => `${code} confirms your email address for Latch`,
      lines: (minutes: string) => [`Enter this code in Latch to confirm this address. It works once, for ${minutes}. Latch sends security alerts only to a confirmed address.`],
    },
    security: {
      subject: (n: number, first: string) => (n === 1 ? `Latch security alert: ${first}` : `Latch security alert: ${count(n, 'change', 'changes')} to your account`),
      intro: (email: string) => `This happened on your Latch account ${email}:`,
      line: (what: string, when: string, where: string | undefined, ip: string) => `${what}, ${when}, from ${where ? `${where} (${ip})` : ip}.`,
      notMe: "If this wasn't you, open your account page now and sign out every device you do not recognise, then change your password:",
      notMeLink: "This wasn't me",
      turnOff: 'New sign-in alerts can be turned off in Signed-in devices. The other alerts always go.',
    },
  },
} as const;
