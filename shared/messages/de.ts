// Every sentence a person reads in Latch, in German: a translation of en.ts, the
// same shape (`Messages`, ../messages.ts). Formal address ("Sie") throughout;
// names are quoted „so“. Where English builds a sentence from a phrase passed
// in (reauth, passwordFor, usedIn, place), the German phrase is written in the
// form the German sentence needs (an infinitive with "zu", a genitive, a place
// with its own preposition: "aus London", "von diesem Computer").
// Dates and times come already formatted (shared/dates.ts); `at` puts "um" or
// "am" before them.
import type { Location, Platform, SecurityEvent, SignOutReason, UsedFrom } from '../api.js';
import type { Messages } from '../messages.js';
import type { KeychainStore } from '../ipc.js';

export const lang = 'de';

const plural = new Intl.PluralRules(lang);
/** "1 Gerät", "3 Geräte". */
const count = (n: number, one: string, other: string) => `${n} ${plural.select(n) === 'one' ? one : other}`;
/** The verb for `n` things: "wird" for one, "werden" for more. */
const verb = (n: number, one: string, other: string) => (plural.select(n) === 'one' ? one : other);
const regions = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
const q = (name: string) => `„${name}“`;
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** What shared/dates.ts's timeAgo says for less than a minute (common.justNow). */
const justNow = 'gerade eben';

/**
 * "um 14:05" for a clock time alone (today, in shared/dates.ts's timeOf), "am 6. Dez., 14:05" when the
 * time carries a date.
 */
const at = (time: string) => (/^\d{1,2}[:.]\d{2}(?:\s*[ap]\.?\s?m\.?)?$/i.test(time.trim()) ? `um ${time}` : `am ${time}`);
/** `at`, at the start of a sentence. */
const At = (time: string) => capitalize(at(time));

const platformNames: Record<Platform, string> = { darwin: 'macOS', win32: 'Windows', linux: 'Linux', other: 'Anderes' };

/**
 * A country alone after "aus", for the countries whose German name takes an article ("aus der Schweiz",
 * "aus den Vereinigten Staaten"); any other is said by its name ("aus Deutschland").
 */
const fromCountry = new Map([
  ['AE', 'den Vereinigten Arabischen Emiraten'],
  ['AQ', 'der Antarktis'],
  ['BS', 'den Bahamas'],
  ['CF', 'der Zentralafrikanischen Republik'],
  ['CH', 'der Schweiz'],
  ['DO', 'der Dominikanischen Republik'],
  ['FO', 'den Färöern'],
  ['GB', 'dem Vereinigten Königreich'],
  ['HK', 'der Sonderverwaltungsregion Hongkong'],
  ['IQ', 'dem Irak'],
  ['IR', 'dem Iran'],
  ['KM', 'den Komoren'],
  ['KY', 'den Kaimaninseln'],
  ['LB', 'dem Libanon'],
  ['MD', 'der Republik Moldau'],
  ['MH', 'den Marshallinseln'],
  ['MN', 'der Mongolei'],
  ['MO', 'der Sonderverwaltungsregion Macau'],
  ['MV', 'den Malediven'],
  ['NL', 'den Niederlanden'],
  ['PH', 'den Philippinen'],
  ['PS', 'den Palästinensischen Autonomiegebieten'],
  ['SB', 'den Salomonen'],
  ['SC', 'den Seychellen'],
  ['SD', 'dem Sudan'],
  ['SK', 'der Slowakei'],
  ['SS', 'dem Südsudan'],
  ['TD', 'dem Tschad'],
  ['TR', 'der Türkei'],
  ['UA', 'der Ukraine'],
  ['US', 'den Vereinigten Staaten'],
  ['VA', 'der Vatikanstadt'],
  ['VG', 'den Britischen Jungferninseln'],
  ['VI', 'den Amerikanischen Jungferninseln'],
  ['YE', 'dem Jemen'],
]);

/**
 * "London, Vereinigtes Königreich", "Dieser Computer", "Lokales Netzwerk"; undefined when nothing is known.
 * Inside a sentence (`inSentence`) it comes with its own preposition, for the sentence to put where a place
 * goes: "aus London, Vereinigtes Königreich", "aus der Schweiz", "aus dem lokalen Netzwerk", "von diesem
 * Computer". The callers join it with the address ("aus London, …, 81.2.69.142"); `origin` says that.
 */
function place(location: Location | undefined, inSentence = false): string | undefined {
  if (!location) return undefined;
  switch (location.kind) {
    case 'this_computer':
      return inSentence ? 'von diesem Computer' : 'Dieser Computer';
    case 'local_network':
      return inSentence ? 'aus dem lokalen Netzwerk' : 'Lokales Netzwerk';
    case 'internet': {
      const country = location.country ? regions.of(location.country) : undefined;
      const label = [location.city, country].filter(Boolean).join(', ');
      if (!label || !inSentence) return label || undefined;
      return `aus ${!location.city && location.country ? (fromCountry.get(location.country) ?? label) : label}`;
    }
    case 'unknown':
      return undefined;
  }
}

/**
 * "81.2.69.142 (London, Vereinigtes Königreich)": an address and, where known, roughly where it is. The
 * place is in brackets, so it is in the nominative ("127.0.0.1 (dieser Computer)"); `origin` puts "von"
 * before it in a sentence.
 */
function usedFrom(from: UsedFrom): string {
  const label = place(from.location);
  const where = label && from.location?.kind !== 'internet' ? label.charAt(0).toLowerCase() + label.slice(1) : label;
  return where ? `${from.ip} (${where})` : from.ip;
}

/** A place with its preposition, then the address the callers put last ("aus London, …, 81.2.69.142"). */
const placeThenAddress = /^((?:aus|von) .+), ((?:\d{1,3}\.){3}\d{1,3}|[\da-f]*:[\da-f:.]*)$/i;
const withPreposition = /^(?:aus|von) /;

/**
 * Where something came from, said inside a sentence, with its leading space (or '' when nothing is known):
 * " aus London, Vereinigtes Königreich (81.2.69.142)", " von 81.2.69.142 (dieser Computer)". `where` is what
 * the callers pass: place(…, true), which brings its preposition; usedFrom(), an address, which gets "von";
 * or the two joined by ", " (the windows and notifications), which puts the address in brackets.
 */
function origin(where: string | undefined): string {
  if (!where) return '';
  const joined = placeThenAddress.exec(where);
  if (joined) return ` ${joined[1]} (${joined[2]})`;
  return withPreposition.test(where) ? ` ${where}` : ` von ${where}`;
}

/**
 * Where a copied key (the one that kept a device signed in) was used. The server cannot tell the owner's copy
 * from the thief's, so when it knows both places it names both; otherwise the one where the old copy was used.
 * German word order puts the time inside the sentence, so `time` is the formatted time (or undefined), and
 * `whose` the genitive after "des Anmeldeschlüssels" ("dieses Geräts", "von „Laptop“"). `from` and `alsoFrom`
 * go through `origin`.
 */
function usedIn(time: string | undefined, whose: string, from: string | undefined, alsoFrom: string | undefined): string {
  const when = time ? ` ${at(time)}` : '';
  if (from && alsoFrom)
    return `Der Anmeldeschlüssel ${whose} wurde${when} gleichzeitig an zwei Orten verwendet:${origin(from)} und${origin(alsoFrom)}. An einem der beiden Orte wurde eine Kopie verwendet.`;
  return `Jemand hat${when}${origin(from)} eine Kopie des Anmeldeschlüssels ${whose} verwendet.`;
}

const seconds_ = (n: number) => count(n, 'Sekunde', 'Sekunden');

/** "30 Sekunden", "eine Minute", "5 Minuten": a wait, said as it is (a 30-second cooldown is not "a minute"). */
const waitOf = (seconds: number) => (seconds < 60 ? seconds_(seconds) : seconds <= 60 ? 'eine Minute' : count(Math.ceil(seconds / 60), 'Minute', 'Minuten'));

const errors: Messages['errors'] = {
  hashing_busy: 'Der Server prüft gerade andere Anmeldungen. Versuchen Sie es in ein paar Sekunden erneut.',
  code_or_password_wrong: 'Der Code oder das Passwort ist nicht richtig. Prüfen Sie beides und versuchen Sie es erneut.',
  credentials_wrong: 'Die E-Mail-Adresse oder das Passwort ist nicht richtig.',
  account_made_meanwhile: 'Inzwischen wurde ein Konto mit dieser Adresse erstellt. Melden Sie sich stattdessen an.',
  registration_closed: 'Dieser Server nimmt keine neuen Konten an. Bitten Sie den Betreiber des Servers, eines für Sie zu erstellen.',
  recovery_code_wrong: 'Dieser Wiederherstellungscode ist nicht richtig oder wurde bereits verwendet.',
  address_already_confirmed: 'Diese Adresse ist bereits bestätigt.',
  browser_not_rotated: 'Die Anmeldung eines Browsers wird nicht erneuert.',
  password_wrong: 'Dieses Passwort ist nicht richtig.',
  current_password_wrong: 'Das aktuelle Passwort ist nicht richtig.',
  no_file: 'Diese Datei gibt es nicht.',
  page_not_built: 'Die Kontoseite wurde auf diesem Server nicht erstellt. Führen Sie `npm run build:app` aus oder installieren Sie den gepackten Server, der sie enthält.',
  insecure_connection:
    'Auf der Kontoseite können Sie sich nur über https anmelden (oder auf dem Computer, auf dem der Server läuft). Öffnen Sie sie mit https://.',
  cross_site_request: 'Diese Anfrage kam nicht von der Kontoseite und wurde daher abgelehnt.',
  cross_site_connection: 'Diese Verbindung kam nicht von der Kontoseite und wurde daher abgelehnt.',
  misdirected_host: 'Dieser Server antwortet nicht auf diesen Hostnamen. Verwenden Sie die Adresse, mit der er gestartet wurde.',
  duplicate_host: 'Die Anfrage nennt ihren Host mehr als einmal.',
  absolute_target: 'Senden Sie als Ziel der Anfrage nur den Pfad und geben Sie den Host im Host-Header an.',
  code_wrong: 'Dieser Code ist nicht richtig. Sehen Sie in der E-Mail nach und geben Sie ihn erneut ein.',
  code_ended: 'Dieser Code ist abgelaufen, wurde schon verwendet oder zu oft ausprobiert. Fordern Sie einen neuen an.',
  server_fault: 'Auf dem Server ist etwas schiefgegangen.',
  store_unreachable: 'Der Server erreicht seine Datenbank gerade nicht. Versuchen Sie es gleich erneut.',
  store_busy: 'Die Datenbank des Servers ist gerade ausgelastet. Versuchen Sie es in ein paar Sekunden erneut.',
  body_too_large: 'Der Inhalt der Anfrage ist größer als 16 KiB.',
  json_only: 'Senden Sie den Inhalt der Anfrage als application/json.',
  body_empty: 'Der Inhalt der Anfrage ist leer; senden Sie ein JSON-Objekt.',
  body_not_json: 'Der Inhalt der Anfrage ist kein gültiges JSON.',
  content_length_mismatch: 'Der Content-Length-Header passt nicht zum Inhalt.',
  bad_url: 'Die URL ist ungültig.',
  url_too_long: 'Die URL ist zu lang.',
  request_invalid: 'Die Anfrage ist ungültig.',
  sign_in_needed: 'Melden Sie sich an, um fortzufahren.',
  not_found: 'Nicht gefunden.',
  too_many_requests: 'Zu viele Anfragen.',
  account_disabled: 'Der Betreiber des Servers hat dieses Konto deaktiviert, daher ist keine Anmeldung möglich. Bitten Sie ihn, es wieder zu aktivieren.',
  shutting_down: 'Der Server wird heruntergefahren.',
  server_full: 'Der Server hat so viele offene Verbindungen, wie er halten kann. Latch versucht es gleich erneut.',
  session_expired: 'Diese Anmeldung ist abgelaufen. Melden Sie sich erneut an.',
  token_copied: 'Der Anmeldeschlüssel dieses Geräts wurde anderswo verwendet, daher wurde das Gerät zum Schutz des Kontos abgemeldet.',
  signed_out: 'Dieses Gerät wurde abgemeldet.',
  rotation_conflict: 'Der Anmeldeschlüssel hat sich geändert, während er erneuert wurde. Versuchen Sie es erneut.',
  no_such_session: 'Dieses Gerät ist nicht mehr angemeldet.',
  no_such_request: 'Diese Anmeldeanfrage gibt es nicht. Melden Sie sich erneut an.',
  request_ended_sign_in_again: 'Diese Anmeldeanfrage ist beendet. Melden Sie sich erneut an.',
  request_ended: 'Diese Anmeldeanfrage ist beendet.',
  request_expired: 'Diese Anmeldeanfrage ist abgelaufen.',
  request_answered: 'Diese Anmeldeanfrage wurde bereits auf einem anderen Gerät beantwortet.',
  approval_first: 'Schalten Sie zuerst die Anmeldebestätigung oder Codes aus der Authentifizierungs-App ein: Wiederherstellungscodes gehören zu ihnen.',
  authenticator_setup_ended: 'Diese Einrichtung ist abgelaufen. Beginnen Sie neu: Ein neuer QR-Code wird angezeigt.',
  authenticator_already_on: 'Die Codes aus der Authentifizierungs-App sind schon eingeschaltet. Um sie in eine andere App zu übernehmen, schalten Sie sie zuerst aus und richten dann die neue App ein.',
  authenticator_code_wrong: 'Dieser Code ist nicht der, den Ihre Authentifizierungs-App gerade zeigt. Sehen Sie in der App nach und versuchen Sie es noch einmal.',
  second_factor_wrong:
    'Dieser Code stimmt nicht oder wurde schon verwendet. Geben Sie die 6 Ziffern ein, die Ihre Authentifizierungs-App gerade zeigt (nach einem eben verwendeten Code warten Sie auf den nächsten), oder einen Ihrer Wiederherstellungscodes.',
  second_factor_ended: 'Diese Anmeldung ist beendet: zu viele Versuche oder mehr als 5 Minuten. Melden Sie sich noch einmal mit Ihrem Passwort an.',
  passkey_ceremony_ended: 'Diese Passkey-Anfrage ist abgelaufen (sie gilt 5 Minuten und einmal). Versuchen Sie es noch einmal.',
  passkey_not_verified: 'Der Passkey konnte nicht geprüft werden. Versuchen Sie es noch einmal oder mit einem anderen Authentifikator.',
  passkey_refused: 'Dieser Passkey meldet hier nicht an: Er gehört zu keinem Konto auf diesem Server oder wurde entfernt.',
  no_such_passkey: 'Das Konto hat keinen solchen Passkey.',
  too_many_passkeys: 'Ein Konto kann höchstens 20 Passkeys haben. Entfernen Sie einen, um einen neuen hinzuzufügen.',
  device_too_new: 'Nur ein Gerät, das schon vor dieser Anfrage angemeldet war, kann sie beantworten.',
  too_many_attempts: ({ seconds }) => `Zu viele Anmeldeversuche. Versuchen Sie es in ${seconds_(seconds)} erneut.`,
  too_many_accounts: ({ seconds }) => `Zu viele neue Konten von dieser Adresse. Versuchen Sie es in ${seconds_(seconds)} erneut.`,
  sign_ins_paused: ({ seconds }) => `Neue Anmeldungen bei diesem Konto sind für ${waitOf(seconds)} gesperrt, weil auf seinen Geräten Anmeldeanfragen abgelehnt wurden.`,
  asked_recently: ({ seconds }) => `Ihre Geräte wurden gerade erst gefragt. Fragen Sie in ${seconds_(seconds)} erneut.`,
  too_many_requests_here: ({ seconds }) =>
    `Zu viele Anmeldeanfragen aus diesem Netzwerk für dieses Konto. Beantworten Sie sie auf einem angemeldeten Gerät oder warten Sie ${seconds >= 120 ? count(Math.round(seconds / 60), 'Minute', 'Minuten') : seconds_(seconds)}.`,
  too_many_connections: ({ per }) =>
    `Zu viele offene Verbindungen ${per === 'device' ? 'für dieses Gerät' : per === 'account' ? 'für dieses Konto' : 'von dieser Netzwerkadresse'}. Schließen Sie ein anderes Latch-Fenster oder Gerät und versuchen Sie es erneut.`,
  reauth_needed: ({ minutes }) =>
    `Geben Sie Ihr Passwort ein, um fortzufahren: Um andere Geräte abzumelden, muss es in den letzten ${count(minutes, 'Minute', 'Minuten')} eingegeben worden sein.`,
  request_answered_on: ({ device }) => `Diese Anmeldeanfrage wurde bereits auf ${q(device)} beantwortet.`,
  no_route: ({ method, path }) => `Es gibt keine Route ${method} ${path}.`,
  no_socket_route: ({ path }) => `Unter ${path} gibt es keinen WebSocket-Endpunkt.`,
  // The client's own.
  server_url_not_url: 'Geben Sie die Serveradresse als URL ein, etwa https://latch.example.com.',
  server_url_scheme: 'Die Serveradresse muss mit https:// beginnen (oder mit http:// für diesen Computer).',
  plain_http_elsewhere: ({ host, hostname }) => `Latch verwendet unverschlüsseltes http nur auf diesem Computer. Verwenden Sie https://${host}, um ${hostname} zu erreichen.`,
  already_signed_in: 'Dieses Gerät ist bereits angemeldet. Melden Sie sich zuerst ab.',
  sign_in_under_way: 'Die Anmeldung läuft bereits.',
  still_starting: 'Latch startet noch. Versuchen Sie es gleich erneut.',
  no_code_wait: 'Keine Anmeldung wartet auf einen Code. Melden Sie sich erneut an.',
  no_approval_wait: 'Keine Anmeldung wartet auf Bestätigung.',
  sign_out_first: 'Melden Sie sich zuerst ab.',
  not_signed_in: 'Sie sind nicht angemeldet.',
  server_not_answering: 'Der Server antwortet gerade nicht. Latch versucht es weiter.',
  server_too_slow: 'Der Server hat zu lange nicht geantwortet.',
  unreachable_check_address: 'Der Server ist nicht erreichbar. Prüfen Sie die Adresse und Ihre Verbindung.',
  unreachable_check_connection: 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  answer_not_understood: ({ method, path }) => `Der Server hat eine Antwort gesendet, die Latch nicht versteht (${method} ${path}).`,
  status_not_understood: ({ status }) => `Der Server hat mit ${status} geantwortet, aber ohne einen Fehler, den Latch versteht.`,
  not_on_page: 'Erstellen Sie ein Konto in der Latch-Desktop-App.',
  browser_signed_out: 'Dieser Browser wurde abgemeldet.',
  outside_contract: 'Latch hat eine unerwartete Antwort erzeugt.',
  client_fault: 'In Latch ist etwas schiefgegangen. Versuchen Sie es erneut.',
  page_forbidden: 'Diese Seite darf nicht mit Latch kommunizieren.',
  bridge_lost: 'Latch hat den Kontakt zu seinem Hintergrundprozess verloren. Starten Sie die App neu.',
};

/** An error without a key (a server's that this client does not know), by its code where the code says enough. */
function saidByCode(error: { code?: string; retryAfterSeconds?: number | undefined }): string | undefined {
  switch (error.code) {
    case 'rate_limited':
      return error.retryAfterSeconds === undefined
        ? 'Zu viele Anfragen. Versuchen Sie es später erneut.'
        : `Zu viele Anfragen. Versuchen Sie es in ${seconds_(error.retryAfterSeconds)} erneut.`;
    case 'unavailable':
      return 'Der Server ist gerade nicht verfügbar. Versuchen Sie es gleich erneut.';
    case 'invalid_password':
      return 'Dieses Passwort ist nicht richtig.';
    default:
      return undefined;
  }
}

function noticeTitle(reason: SignOutReason): string {
  if (reason === 'expired') return 'Bitte melden Sie sich erneut an';
  return reason === 'token_reused' ? 'Zum Schutz Ihres Kontos abgemeldet' : 'Abgemeldet';
}

/** Who signed this device out and why, for the notice and the OS notification. `time` is already formatted. */
function noticeText(reason: SignOutReason, time: string, by: string | undefined, byPlace: string | undefined, alsoFrom?: string): string {
  switch (reason) {
    case 'revoked_by_user':
      return by ? `${At(time)} von ${q(by)} aus abgemeldet` : `${At(time)} von einem anderen Gerät aus abgemeldet`;
    case 'password_changed':
      return by ? `Ihr Passwort wurde ${at(time)} auf einem anderen Gerät (${q(by)}) geändert` : `Ihr Passwort wurde ${at(time)} auf einem anderen Gerät geändert`;
    case 'password_reset':
      return by ? `Ihr Passwort wurde ${at(time)} auf ${q(by)} per E-Mail zurückgesetzt` : `Ihr Passwort wurde ${at(time)} per E-Mail zurückgesetzt`;
    case 'expired':
      return 'Latch meldet ein Gerät ab, wenn es eine Weile nicht genutzt wurde, spätestens aber nach einigen Monaten. Melden Sie sich erneut an, um fortzufahren.';
    case 'evicted':
      if (!by) return `${At(time)} abgemeldet, weil zu viele Geräte angemeldet waren`;
      return `${At(time)} abgemeldet, weil sich ${q(by)}${origin(byPlace)} angemeldet hat und zu viele Geräte angemeldet waren`;
    case 'signed_out':
      return `Dieses Gerät wurde ${at(time)} abgemeldet`;
    case 'token_reused':
      return `${usedIn(time, 'dieses Geräts', byPlace, alsoFrom)} Latch hat dieses Gerät zum Schutz Ihres Kontos abgemeldet. Melden Sie sich erneut an und ändern Sie dann Ihr Passwort.`;
    case 'revoked_by_operator':
      return `${At(time)} vom Betreiber des Servers abgemeldet`;
    case 'account_disabled':
      return `Der Betreiber des Servers hat dieses Konto ${at(time)} deaktiviert, und alle Geräte wurden abgemeldet. Bitten Sie ihn, es wieder zu aktivieren.`;
  }
}

function activity(event: SecurityEvent): string {
  const by = q(event.deviceName);
  const others = (n: number) => count(n, 'anderes Gerät', 'andere Geräte');
  switch (event.type) {
    case 'account_created':
      return `Konto auf ${by} erstellt`;
    case 'signed_in':
      return `Auf ${by} angemeldet`;
    case 'signed_out':
      return `${by} hat sich abgemeldet`;
    case 'session_revoked':
      return `${by} hat ${event.targetDeviceName ? q(event.targetDeviceName) : 'ein Gerät'} abgemeldet`;
    case 'other_sessions_revoked':
      return `${by} hat ${others(event.count ?? 0)} abgemeldet`;
    case 'password_changed':
      return event.count ? `Passwort auf ${by} geändert; ${others(event.count)} abgemeldet` : `Passwort auf ${by} geändert`;
    case 'session_evicted':
      return `${event.targetDeviceName ? q(event.targetDeviceName) : 'Ein Gerät'} wurde abgemeldet, um Platz für ${by} zu machen: zu viele Geräte`;
    case 'token_reused':
      return `${by} wurde abgemeldet: Eine Kopie seines Anmeldeschlüssels wurde anderswo verwendet`;
    case 'approval_turned_on':
      return `Anmeldebestätigung auf ${by} eingeschaltet`;
    case 'approval_turned_off':
      return `Anmeldebestätigung auf ${by} ausgeschaltet`;
    case 'recovery_codes_regenerated':
      return `Neue Wiederherstellungscodes auf ${by} erstellt`;
    case 'authenticator_turned_on':
      return `Codes aus der Authentifizierungs-App auf ${by} eingeschaltet`;
    case 'authenticator_turned_off':
      return `Codes aus der Authentifizierungs-App auf ${by} ausgeschaltet`;
    case 'sign_in_approved':
      return `${by} hat die Anmeldung ${event.targetDeviceName ? `von ${q(event.targetDeviceName)}` : 'eines neuen Geräts'} bestätigt`;
    case 'sign_in_denied':
      return `${by} hat die Anmeldung ${event.targetDeviceName ? `von ${q(event.targetDeviceName)}` : 'eines neuen Geräts'} abgelehnt`;
    case 'sign_in_wrong_pick':
      return `${by} hat eine Zahl gewählt, die ${event.targetDeviceName ? q(event.targetDeviceName) : 'das neue Gerät'} nicht angezeigt hat; die Frage wurde wiederholt`;
    case 'sign_in_expired':
      return `${by} wollte sich anmelden, aber kein Gerät hat rechtzeitig geantwortet`;
    case 'sign_in_wrong_number':
      return `${event.targetDeviceName ? q(event.targetDeviceName) : 'Ein neues Gerät'} wurde nicht bestätigt: Zweimal wurde die falsche Zahl gewählt, beim zweiten Mal auf ${by}`;
    case 'recovery_code_used':
      return `${by} hat sich mit einem Wiederherstellungscode angemeldet; ${count(event.count ?? 0, 'Code', 'Codes')} übrig`;
    case 'password_reset':
      return event.count ? `Passwort auf ${by} per E-Mail zurückgesetzt; ${others(event.count)} abgemeldet` : `Passwort auf ${by} per E-Mail zurückgesetzt`;
    case 'email_verified':
      return `E-Mail-Adresse auf ${by} bestätigt`;
    case 'sign_in_mail_changed':
      return event.count ? `E-Mails bei neuen Anmeldungen auf ${by} eingeschaltet` : `E-Mails bei neuen Anmeldungen auf ${by} ausgeschaltet`;
    case 'operator_signed_out':
      return event.targetDeviceName
        ? `Der Betreiber des Servers hat ${q(event.targetDeviceName)} abgemeldet`
        : `Der Betreiber des Servers hat ${count(event.count ?? 0, 'Gerät', 'Geräte')} abgemeldet`;
    case 'account_disabled':
      return `Der Betreiber des Servers hat das Konto deaktiviert; ${count(event.count ?? 0, 'Gerät', 'Geräte')} abgemeldet`;
    case 'account_enabled':
      return 'Der Betreiber des Servers hat das Konto wieder aktiviert';
    case 'operator_sent_reset':
      return 'Der Betreiber des Servers hat einen Code zum Zurücksetzen des Passworts an die Adresse des Kontos senden lassen';
    case 'operator_turned_off_codes':
      return 'Der Betreiber des Servers hat die Codes aus der Authentifizierungs-App ausgeschaltet';
    case 'passkey_added':
      return `Passkey ${q(event.targetDeviceName ?? '')} auf ${by} hinzugefügt`;
    case 'passkey_removed':
      return `Passkey ${q(event.targetDeviceName ?? '')} auf ${by} entfernt`;
    case 'passkey_cloned':
      return `Passkey ${q(event.targetDeviceName ?? '')} wurde kopiert: Sein Zähler ging zurück, und er meldet nicht mehr an`;
  }
}

/** Why a device in "Recently signed out" ended. */
function endedBecause(reason: SignOutReason, by: string | undefined): string {
  switch (reason) {
    case 'revoked_by_user':
      return by ? `Von ${q(by)} aus abgemeldet` : 'Von einem anderen Gerät aus abgemeldet';
    case 'signed_out':
      return 'Auf dem Gerät selbst abgemeldet';
    case 'password_changed':
      return by ? `Passwort auf ${q(by)} geändert` : 'Passwort geändert';
    case 'password_reset':
      return by ? `Passwort auf ${q(by)} per E-Mail zurückgesetzt` : 'Passwort per E-Mail zurückgesetzt';
    case 'expired':
      return 'Abgelaufen';
    case 'evicted':
      return by ? `Platz für ${q(by)} gemacht: zu viele Geräte` : 'Zu viele Geräte waren angemeldet';
    case 'token_reused':
      return 'Eine Kopie des Anmeldeschlüssels wurde anderswo verwendet';
    case 'revoked_by_operator':
      return 'Vom Betreiber des Servers abgemeldet';
    case 'account_disabled':
      return 'Der Betreiber des Servers hat das Konto deaktiviert';
  }
}

/** Where the key that keeps this device signed in is kept: in which keychain. */
const keychainIn: Record<KeychainStore, string> = {
  macos: 'im macOS-Schlüsselbund',
  windows: 'in der Windows-Anmeldeinformationsverwaltung',
  secret_service: 'im Schlüsselbund des Systems',
  browser: 'in diesem Browser',
};
/** The keychain, at the start of a sentence. */
const keychainNamed: Record<KeychainStore, string> = {
  macos: 'Der macOS-Schlüsselbund',
  windows: 'Die Windows-Anmeldeinformationsverwaltung',
  secret_service: 'Der Schlüsselbund des Systems',
  browser: 'Dieser Browser',
};

const keychainSaved = (store: KeychainStore | undefined): string => `Ihr Anmeldeschlüssel ist ${store ? keychainIn[store] : 'im Schlüsselbund des Systems'} gespeichert.`;

function keychainUnavailable(store: KeychainStore | undefined, answered: string | undefined): string {
  const hint =
    store === 'secret_service'
      ? 'Installieren und entsperren Sie einen Schlüsselbund: GNOME Keyring oder KWallet.'
      : store === 'macos'
        ? 'Entsperren Sie Ihren Anmeldeschlüsselbund.'
        : store === 'windows'
          ? 'Prüfen Sie, ob die Windows-Anmeldeinformationsverwaltung verfügbar ist.'
          : '';
  return `${store ? keychainNamed[store] : 'Der Schlüsselbund des Systems'} ist nicht verfügbar${answered ? ` (${answered})` : ''}. ${hint}`.trim();
}

// The three actions behind the password in the sign-in approval setting: each is the form's label and its
// button, and passwordFor() says it as an infinitive with "zu" (German keeps the capital of a noun).
const confirmOn = 'Anmeldebestätigung einschalten';
const confirmOff = 'Anmeldebestätigung ausschalten';
const confirmCodes = 'Neue Wiederherstellungscodes erstellen';
const toDo = new Map([
  [confirmOn, 'die Anmeldebestätigung einzuschalten'],
  [confirmOff, 'die Anmeldebestätigung auszuschalten'],
  [confirmCodes, 'neue Wiederherstellungscodes zu erstellen'],
]);

function passwordFor(action: string): string {
  const infinitive = toDo.get(action);
  return infinitive ? `Geben Sie Ihr Passwort ein, um ${infinitive}` : `${action}: Geben Sie Ihr Passwort ein`;
}

/** "Noch 3 Codes übrig" reads oddly for none: "Keine Codes mehr übrig". */
const left = (n: number, one: string, other: string) => (n === 0 ? `Keine ${other} mehr übrig` : `Noch ${count(n, one, other)} übrig`);

export const de: Messages = {
  lang,
  appName: 'Latch',
  platformNames,
  place,
  usedFrom,
  errors,
  saidByCode,
  keychainUnavailable,
  fieldNames: {
    deviceName: 'Der Gerätename',
    os: 'Das Betriebssystem',
    appVersion: 'Die App-Version',
    email: 'Die E-Mail-Adresse',
    password: 'Das Passwort',
    newPassword: 'Das neue Passwort',
    currentPassword: 'Das aktuelle Passwort',
    codeId: 'Die Code-ID',
    rotationClaim: 'Der Erneuerungsnachweis',
    signInRequestId: 'Die ID der Anmeldeanfrage',
    requestSecret: 'Das Geheimnis der Anmeldeanfrage',
    sessionId: 'Die Sitzungs-ID',
    securityEventId: 'Die ID des Sicherheitsereignisses',
    passkeyResponse: 'Die Antwort des Authenticators',
  },
  fieldRules: {
    required: (field) => `${field} darf nicht leer sein`,
    too_short: (field, n) => `${field} muss mindestens ${n} Zeichen lang sein`,
    too_long: (field, n) => `${field} darf höchstens ${n} Zeichen lang sein`,
    unsafe_text: (field) => `${field} darf keine Steuerzeichen, unsichtbaren Zeichen oder Textrichtungszeichen enthalten`,
    no_visible: (field) => `${field} muss einen Buchstaben, eine Ziffer oder ein Symbol enthalten`,
    not_valid: (field) => `${field} ist ungültig`,
    os_chars: 'Das Betriebssystem darf nur Buchstaben, Ziffern, Leerzeichen und . , : ( ) + / _ - enthalten',
    email_format: 'Geben Sie eine gültige E-Mail-Adresse ein',
    enter_email: 'Geben Sie Ihre E-Mail-Adresse ein',
    enter_password: 'Geben Sie Ihr Passwort ein',
    enter_current_password: 'Geben Sie Ihr aktuelles Passwort ein',
    enter_new_password: 'Geben Sie ein neues Passwort ein',
    enter_server_url: 'Geben Sie die Serveradresse ein',
    server_url_too_long: 'Die Serveradresse ist zu lang',
    enter_code: 'Geben Sie den Code aus der E-Mail ein',
    code_digits: 'Der Code besteht aus den 6 Ziffern in der E-Mail',
    recovery_code: 'Ein Wiederherstellungscode besteht aus 10 Buchstaben und Ziffern, etwa 7k2m9-qx4rt',
    second_factor_code: 'Geben Sie die 6 Ziffern aus Ihrer Authentifizierungs-App ein oder einen Wiederherstellungscode wie 7k2m9-qx4rt',
    app_code_digits: 'Geben Sie die 6 Ziffern ein, die Ihre App gerade zeigt',
  },
  common: {
    cancel: 'Abbrechen',
    dismiss: 'Schließen',
    close: 'Schließen',
    tryAgain: 'Erneut versuchen',
    password: 'Passwort',
    enterPassword: 'Geben Sie Ihr Passwort ein',
    atLeast: (n: number) => `Mindestens ${n} Zeichen.`,
    signOut: 'Abmelden',
    signingOut: 'Wird abgemeldet…',
    loading: 'Wird geladen…',
    /** A setting of the devices window while offline: said instead of "Loading…" for ever. */
    settingOffline: 'Diese Einstellung kann nicht geladen werden, solange Latch offline ist. Sobald die Verbindung wieder besteht, wird sie geladen.',
    justNow,
  },
  connection: { online: 'Online', connecting: 'Verbindung wird wiederhergestellt…', offline: 'Offline' },
  connectionAnnounced: {
    online: 'Wieder mit dem Server verbunden.',
    connecting: 'Verbindung zum Server verloren; sie wird wiederhergestellt.',
    offline: 'Latch ist offline. Die Verbindung wird von selbst wiederhergestellt.',
  },
  windowTitle: { main: 'Latch', devices: 'Angemeldete Geräte – Latch' },
  signIn: {
    titleSignIn: 'Bei Latch anmelden',
    titleCreate: 'Latch-Konto erstellen',
    server: 'Server',
    serverHint: 'https:// oder http:// auf diesem Computer',
    email: 'E-Mail',
    signIn: 'Anmelden',
    signingIn: 'Wird angemeldet…',
    create: 'Konto erstellen',
    creating: 'Konto wird erstellt…',
    switchToCreate: 'Stattdessen ein Konto erstellen',
    switchToSignIn: 'Ich habe ein Konto',
    noKeychain: 'Kein Schlüsselbund verfügbar: Sie müssen sich beim nächsten Start von Latch erneut anmelden.',
    forgot: 'Passwort vergessen?',
    resetTitle: 'Passwort zurücksetzen',
    resetIntro: 'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Gibt es dazu ein Konto auf diesem Server, geht ein 6-stelliger Code an diese Adresse.',
    sendCode: 'Code senden',
    sendingCode: 'Code wird gesendet…',
    codeSentTo: (email: string) => `Wenn ${email} ein Latch-Konto hat, ist ein 6-stelliger Code unterwegs. Er gilt 15 Minuten lang.`,
    code: 'Code aus der E-Mail',
    codeHint: '6 Ziffern',
    newPassword: 'Neues Passwort',
    resetSubmit: 'Passwort setzen und anmelden',
    resetting: 'Passwort wird gesetzt…',
    resetNote: 'Sobald das neue Passwort gesetzt ist, werden alle anderen Geräte abgemeldet.',
    back: 'Zurück zur Anmeldung',
    resendCode: 'Neuen Code senden',
    stepUpTitle: 'Code aus Ihrer E-Mail eingeben',
    stepUpText: (email: string) =>
      `Für ${email} wurden von anderswo viele falsche Passwörter ausprobiert. Für eine Anmeldung von einem neuen Ort brauchen Sie deshalb zusätzlich zu Ihrem Passwort den Code, den Latch gerade an diese Adresse gesendet hat.`,
    stepUpSubmit: 'Mit dem Code anmelden',
    authenticatorTitle: 'Code aus Ihrer Authentifizierungs-App eingeben',
    authenticatorText: (email: string) =>
      `Ihr Konto ${email} braucht zusätzlich einen Code aus einer Authentifizierungs-App. Öffnen Sie die App, die Sie für Latch eingerichtet haben, und geben Sie die 6 Ziffern ein, die sie gerade zeigt.`,
    authenticatorCode: 'Code aus der App',
    authenticatorHint: '6 Ziffern. Kein Telefon zur Hand? Einer Ihrer Wiederherstellungscodes geht auch.',
    signUpCodeTitle: 'Sehen Sie in Ihrem Postfach nach',
    signUpCodeText: (email: string) =>
      `Latch hat einen 6-stelligen Code an ${email} gesendet. Geben Sie ihn ein, um Ihr Konto fertig zu erstellen. (Hat diese Adresse schon ein Konto, steht das stattdessen in der E-Mail.)`,
    signUpCodeSubmit: 'Konto erstellen',
    otherEmail: 'Andere E-Mail-Adresse verwenden',
  },
  /** The banner until the account's address is confirmed. */
  verifyEmail: {
    title: 'Bestätigen Sie Ihre E-Mail-Adresse',
    text: (email: string) =>
      `Latch hat einen 6-stelligen Code an ${email} gesendet. Sicherheitswarnungen und das Zurücksetzen des Passworts gehen an diese Adresse: Bestätigen Sie, dass sie Ihnen gehört.`,
    code: 'Code',
    confirm: 'Bestätigen',
    confirming: 'Wird bestätigt…',
    resend: 'Neuen Code senden',
    resent: (email: string) => `Ein neuer Code ist an ${email} unterwegs.`,
    confirmed: 'Ihre E-Mail-Adresse ist bestätigt.',
  },
  /** The devices window's mail setting. */
  mailSetting: {
    title: 'Benachrichtigung per E-Mail',
    newSignIns: 'Per E-Mail benachrichtigen, wenn sich ein Gerät anmeldet',
    note: 'Über Passwortänderungen, das Zurücksetzen des Passworts und andere Sicherheitswarnungen informiert Latch immer per E-Mail.',
    unconfirmed: 'Benachrichtigungen gehen an Ihre Adresse, sobald sie bestätigt ist.',
    saved: (on: boolean) => (on ? 'E-Mails bei neuen Anmeldungen sind eingeschaltet.' : 'E-Mails bei neuen Anmeldungen sind ausgeschaltet.'),
  },
  /** The account page, in a browser. */
  page: {
    title: 'Latch-Konto',
    signInTitle: 'Bei Ihrem Latch-Konto anmelden',
    signInIntro:
      'Hier sehen Sie alle Geräte, die bei Ihrem Konto angemeldet sind, und können jedes davon abmelden: einen verlorenen Laptop, ein verkauftes Telefon.',
    signedInHere: 'Dieser Browser ist angemeldet als',
    signOutHere: 'Diesen Browser abmelden',
    sessionNote: 'Dieser Browser bleibt angemeldet, bis er einen Tag lang nicht genutzt wurde, höchstens aber eine Woche.',
    unreachable: 'Der Server ist nicht erreichbar. Neuer Versuch…',
    signingOut: 'Wird abgemeldet…',
    signOutWaiting:
      'Hier abgemeldet, aber der Server war nicht erreichbar, um diesen Browser abzumelden: Er könnte also noch Zugriff haben. Diese Seite versucht es weiter. Lassen Sie sie geöffnet, bis hier „Erledigt“ steht, oder melden Sie diesen Browser von einem anderen Gerät aus ab.',
    signOutDone: 'Erledigt: Der Server hat diesen Browser abgemeldet.',
    titles: {
      signIn: 'Anmelden – Latch-Konto',
      devices: 'Angemeldete Geräte – Latch-Konto',
      waiting: 'Warten auf Bestätigung – Latch-Konto',
      signedOut: 'Abgemeldet – Latch-Konto',
    },
  },
  notice: {
    title: noticeTitle,
    text: noticeText,
  },
  home: {
    signedInAs: 'Angemeldet als',
    /** Signed in, but the account is not known yet (offline since start, nothing remembered). */
    resuming: 'Sie sind auf diesem Gerät angemeldet. Ihr Konto erscheint hier, sobald Latch den Server erreicht.',
    thisDeviceLabel: 'Dieses Gerät',
    offlineNote: 'Sie bleiben angemeldet. Latch fragt beim Server nach, sobald er wieder erreichbar ist.',
    keychainSaved,
    memoryOnly: 'Nur im Arbeitsspeicher: Sie müssen sich beim nächsten Start von Latch erneut anmelden.',
    openDevices: 'Angemeldete Geräte…',
    changePassword: 'Passwort ändern',
  },
  password: {
    title: 'Passwort ändern',
    intro: 'Wenn Sie Ihr Passwort ändern, werden alle anderen Geräte abgemeldet.',
    current: 'Aktuelles Passwort',
    next: 'Neues Passwort',
    submit: 'Passwort ändern',
    busy: 'Wird geändert…',
    done: (revoked: number) =>
      `Passwort geändert. ${revoked === 0 ? 'Es waren keine anderen Geräte angemeldet.' : `${count(revoked, 'anderes Gerät wurde', 'andere Geräte wurden')} abgemeldet.`}`,
    doneButton: 'Fertig',
  },
  // `action` is devices.reauthOthers or reauthOne: an infinitive with "zu" ("2 andere Geräte abzumelden").
  reauth: {
    formLabel: (action: string) => `Mit Ihrem Passwort bestätigen, um ${action}`,
    hint: (action: string, minutes: number) =>
      `Geben Sie Ihr Passwort ein, um ${action}: Sie haben es zuletzt vor mehr als ${count(minutes, 'Minute', 'Minuten')} eingegeben.`,
    checking: 'Wird geprüft…',
  },
  devices: {
    title: 'Angemeldete Geräte',
    signedOutHere: 'Dieses Gerät ist abgemeldet. Melden Sie sich im Hauptfenster an, um Ihre Geräte zu sehen.',
    offlineReason: 'Latch ist offline, daher kann gerade kein Gerät abgemeldet werden. Die Verbindung wird von selbst wiederhergestellt.',
    offlineDevices: 'Ihre Geräte können nicht geladen werden, solange Latch offline ist. Die Liste wird geladen, sobald die Verbindung wieder besteht.',
    loadingDevices: 'Ihre Geräte werden geladen…',
    activeTitle: 'Aktive Geräte',
    onlyOne: 'Kein anderes Gerät ist angemeldet.',
    signOutOthers: 'Alle anderen Geräte abmelden',
    confirmGroup: 'Abmeldung aller anderen Geräte bestätigen',
    confirmText: (n: number) => `Sind Sie sicher? Dadurch ${verb(n, 'wird', 'werden')} ${count(n, 'anderes Gerät', 'andere Geräte')} abgemeldet.`,
    confirmYes: (n: number) => `Ja, ${n} abmelden`,
    /** Said inside reauth's sentences: an infinitive with "zu". */
    reauthOthers: (n: number) => `${count(n, 'anderes Gerät', 'andere Geräte')} abzumelden`,
    reauthOthersButton: (n: number) => `${n} abmelden`,
    reauthOne: (name: string) => `${q(name)} abzumelden`,
    confirmOneGroup: (name: string) => `Abmeldung von ${q(name)} bestätigen`,
    confirmOneText: (name: string) => `${q(name)} abmelden?`,
    confirmOneYes: (name: string) => `Ja, ${q(name)} abmelden`,
    signOutNamed: (name: string, tellApart: string | undefined) => `${q(name)}${tellApart ? ` (${tellApart})` : ''} abmelden`,
    rename: 'Umbenennen',
    renameLabel: 'Gerätename',
    save: 'Speichern',
    enterName: 'Geben Sie einen Namen ein',
    badge: 'Dieses Gerät',
    appVersion: (version: string) => `Latch ${version}`,
    browserSession: 'Webbrowser (Kontoseite)',
    browserKind: 'Webbrowser',
    /** A browser's name in the list, made by the server at sign-in in the page's language: "Firefox unter Windows". */
    browserOn: (browser: string, os: string) => `${browser} unter ${os}`,
    badgeBrowser: 'Dieser Browser',
    activeNow: 'jetzt aktiv',
    thisOffline: 'offline',
    nameTooLong: 'Der Gerätename darf höchstens 64 Zeichen lang sein',
    onlineNow: 'jetzt online',
    /** `ago` is shared/dates.ts's timeAgo: "vor 5 Minuten", "gestern", or common.justNow. */
    lastActive: (ago: string) => (ago === justNow ? `${justNow} aktiv` : `zuletzt aktiv ${ago}`),
    /** The date comes last: SessionRow calls it with '' and puts the date after it. */
    signedInOn: (date: string) => `angemeldet am ${date}`,
    filterLabel: 'Geräte filtern',
    filterHint: 'Name, System, Ort oder Adresse',
    sortLabel: 'Sortieren nach',
    sortLastActive: 'Zuletzt aktiv',
    sortName: 'Name',
    sortSignedIn: 'Anmeldedatum',
    showing: (shown: number, total: number) => `${shown} von ${total} ${verb(total, 'anderen Gerät', 'anderen Geräten')} ${verb(shown, 'passt', 'passen')}`,
    noMatch: (filter: string) => `Kein anderes Gerät passt zu „${filter}“.`,
    attribution: 'Die Orte werden aus den Adressen geschätzt, mit IP Geolocation by DB-IP (db-ip.com).',
    recentSummary: (n: number | undefined) => (n === undefined ? 'Kürzlich abgemeldet' : `Kürzlich abgemeldet (${n})`),
    recentNone: 'In den letzten 30 Tagen wurde kein Gerät abgemeldet.',
    recentOffline: 'Diese Liste kann nicht geladen werden, solange Latch offline ist.',
    recentEnded: endedBecause,
    recentWhen: (ago: string) => ago,
    // One device's details, opened under its row.
    details: 'Details',
    detailsNamed: (name: string) => `Details zu ${q(name)}`,
    detailSystem: 'System',
    detailApp: 'App',
    detailPlace: 'Ort',
    detailAddress: 'Adresse',
    detailSignedIn: 'Angemeldet am',
    detailHow: 'Angemeldet mit',
    detailLastActive: 'Zuletzt aktiv',
    unknownPlace: 'Unbekannt',
    // Said after detailHow ("Angemeldet mit"), so without a "Mit" of their own.
    signedInWith: {
      password: 'Passwort',
      /** `note`: what tells the approving device from others of its name, or that it has been signed out since. */
      approval: (by: string | undefined, note?: string) =>
        by ? `Passwort, bestätigt auf ${q(by)}${note ? ` (${note})` : ''}` : 'Passwort, bestätigt auf einem anderen Gerät',
      approverGone: 'inzwischen abgemeldet',
      recovery_code: 'Passwort und Wiederherstellungscode',
      password_and_code: 'Passwort und Code aus einer Authentifizierungs-App',
      passkey: 'Passkey',
      password_reset: 'Neues Passwort, gesetzt mit einem Code aus der E-Mail',
      new_account: 'Erstellen des Kontos',
      unknown: 'Nicht erfasst: Das Gerät hat sich angemeldet, bevor Latch dies festhielt',
    },
    deviceActivity: (name: string) => `Aktivität von ${q(name)}`,
    deviceActivityNone: 'Nichts in den letzten 30 Tagen.',
    deviceActivityOffline: 'Dies kann nicht geladen werden, solange Latch offline ist.',
  },
  activity: {
    title: 'Letzte Aktivität',
    offline: 'Die letzte Aktivität kann nicht geladen werden, solange Latch offline ist. Die Liste wird geladen, sobald die Verbindung wieder besteht.',
    failed: (why: string) => `Die letzte Aktivität konnte nicht geladen werden: ${why}`,
    none: 'Noch nichts.',
    older: 'Ältere Aktivität anzeigen',
    describe: activity,
  },
  alerts: {
    one: 'Neue Anmeldung',
    many: (n: number) => `${n} neue Anmeldungen`,
    show: 'Anzeigen',
    hide: 'Ausblenden',
    signedInFrom: (name: string, what: string, where: string | undefined) => `${q(name)} (${what})${origin(where)}`,
    notMe: 'Das war ich nicht',
    notMeNamed: (name: string) => `Das war ich nicht: ${q(name)} abmelden`,
    dismissNamed: (name: string) => `Hinweis zu ${q(name)} schließen`,
    dismissAll: 'Alle schließen',
    announce: (name: string, where: string | undefined) => `Neue Anmeldung: ${q(name)}${origin(where)}.`,
    announceMany: (n: number) => `${n} neue Anmeldungen. Die Hinweise stehen oben im Fenster.`,
  },
  copied: {
    title: (name: string) => `${q(name)} wurde zum Schutz Ihres Kontos abgemeldet`,
    text: (name: string, from: string, time: string, alsoFrom?: string) =>
      `${usedIn(time, `von ${q(name)}`, from, alsoFrom)} Latch hat ${q(name)} abgemeldet, damit keine Kopie mehr funktioniert. Ändern Sie jetzt Ihr Passwort, melden Sie sich dann auf ${q(name)} erneut an und prüfen Sie das Gerät auf Programme, die Sie nicht kennen.`,
    changePassword: 'Passwort jetzt ändern',
    dismissNamed: (name: string) => `Warnung zu ${q(name)} schließen`,
    announce: (name: string) =>
      `Sicherheitswarnung: Jemand hat eine Kopie des Anmeldeschlüssels von ${q(name)} verwendet. Latch hat das Gerät abgemeldet. Ändern Sie Ihr Passwort.`,
  },
  authenticator: {
    settingTitle: 'Authentifizierungs-App',
    settingLabel: 'Bei der Anmeldung mit dem Passwort einen Code aus einer Authentifizierungs-App verlangen',
    settingOnText: (codes: number) =>
      `Eingeschaltet. Die Anmeldung mit dem Passwort braucht zusätzlich den 6-stelligen Code aus Ihrer App oder einen Wiederherstellungscode. ${left(codes, 'Wiederherstellungscode', 'Wiederherstellungscodes')}.`,
    settingOffText: 'Ausgeschaltet. Es wird kein Code aus einer App verlangt.',
    settingOnWithApproval: (codes: number) =>
      `Eingeschaltet, aber solange die Anmeldebestätigung an ist, entscheidet sie: Ein neues Gerät braucht ein Ja von einem Ihrer Geräte oder einen Wiederherstellungscode, und der Code aus der App wird nicht verlangt. ${left(codes, 'Wiederherstellungscode', 'Wiederherstellungscodes')}.`,
    setupEnded: 'Diese Einrichtung ist abgelaufen. Löschen Sie den Latch-Eintrag, den Ihre App eben angelegt hat, und beginnen Sie neu.',
    startAgain: 'Neu beginnen…',
    turnOn: 'Einrichten…',
    turnOff: 'Ausschalten…',
    confirmOn: 'Authentifizierungs-App einrichten',
    confirmOff: 'Codes aus der App ausschalten',
    passwordFor: (action: string) =>
      action === 'Authentifizierungs-App einrichten'
        ? 'Geben Sie Ihr Passwort ein, um eine Authentifizierungs-App einzurichten'
        : action === 'Codes aus der App ausschalten'
          ? 'Geben Sie Ihr Passwort ein, um die Codes aus der App auszuschalten'
          : `${action}: Geben Sie Ihr Passwort ein`,
    scanTitle: 'Scannen Sie diesen QR-Code mit Ihrer Authentifizierungs-App',
    scanText: 'Jede Authentifizierungs-App geht, etwa 1Password, Google Authenticator, Microsoft Authenticator oder Aegis. Keine Kamera zur Hand? Tippen Sie stattdessen den Schlüssel unten in die App ein.',
    qrAlt: 'QR-Code mit dem Schlüssel für Ihre Authentifizierungs-App',
    keyLabel: 'Schlüssel zum Eintippen in die App',
    keyCopy: 'Schlüssel kopieren',
    keyCopied: 'Schlüssel kopiert. Fügen Sie ihn in die App ein und leeren Sie dann die Zwischenablage.',
    keyNotCopied: 'Der Schlüssel konnte hier nicht kopiert werden: Markieren und kopieren Sie ihn.',
    codeLabel: 'Code, den die App zeigt',
    codeHint: '6 Ziffern. Die Codes bleiben aus, bis dieser geprüft ist.',
    confirmSubmit: 'Code prüfen und einschalten',
    setupEnds: (time: string) => `Diese Einrichtung endet um ${time}.`,
    announceOn: 'Die Codes aus der Authentifizierungs-App sind eingeschaltet.',
    announceOff: 'Die Codes aus der Authentifizierungs-App sind ausgeschaltet.',
  },
  passkeys: {
    settingTitle: 'Passkeys',
    settingLabel: 'Mit Fingerabdruck, Gesicht, Bildschirmsperre oder einem Sicherheitsschlüssel statt des Passworts anmelden',
    none: 'Noch keine. Mit einem Passkey melden Sie sich ohne Passwort und ohne Code an. Er ist vor Phishing geschützt: Er gilt nur für diesen Server.',
    some: (n: number) => `Mit ${count(n, 'Passkey', 'Passkeys')} können Sie sich ohne Passwort und ohne Code anmelden.`,
    noneUsable: 'Mit keinem Ihrer Passkeys ist derzeit eine Anmeldung möglich.',
    listLabel: 'Ihre Passkeys',
    add: 'Passkey hinzufügen…',
    addTitle: 'Passkey hinzufügen',
    nameLabel: 'Name für diesen Passkey',
    nameHint: 'Damit Sie ihn später unterscheiden, zum Beispiel „Laptop-Fingerabdruck“ oder „Blauer Sicherheitsschlüssel“.',
    defaultName: 'Passkey',
    create: 'Passkey erstellen',
    creating: 'Folgen Sie den Schritten Ihres Browsers oder Geräts…',
    added: (name: string) => `Passkey ${q(name)} hinzugefügt.`,
    addedOn: (date: string) => `Hinzugefügt am ${date}`,
    lastUsed: (ago: string) => `zuletzt ${ago} verwendet`,
    neverUsed: 'noch nicht verwendet',
    synced: 'Vom Anbieter mit Ihren anderen Geräten synchronisiert',
    copied: 'Jemand hat eine Kopie davon verwendet: Mit ihm ist keine Anmeldung mehr möglich. Entfernen Sie ihn und fügen Sie einen neuen hinzu.',
    rename: 'Umbenennen',
    renameLabel: (name: string) => `Passkey ${q(name)} umbenennen`,
    renamed: (name: string) => `Passkey in ${q(name)} umbenannt.`,
    remove: 'Entfernen…',
    removeLabel: (name: string) => `Passkey ${q(name)} entfernen`,
    removeAsk: (name: string) =>
      `Passkey ${q(name)} entfernen? Mit ihm ist dann keine Anmeldung mehr möglich. Der Authenticator zeigt ihn vielleicht noch: Löschen Sie ihn auch dort.`,
    removeConfirm: 'Passkey entfernen',
    removeAction: 'einen Passkey zu entfernen',
    removed: (name: string) => `Passkey ${q(name)} entfernt.`,
    addReauthHint: 'Geben Sie Ihr Passwort ein, um einen Passkey hinzuzufügen, auch direkt nach der Anmeldung: So kann niemand allein mit einer kopierten Anmeldung einen Passkey anlegen.',
    addReauthHintWithPasskey: 'Geben Sie Ihr Passwort ein oder verwenden Sie einen Ihrer Passkeys, um einen Passkey hinzuzufügen, auch direkt nach der Anmeldung: So kann niemand allein mit einer kopierten Anmeldung einen Passkey anlegen.',
    nameTooLong: 'Der Name eines Passkeys darf höchstens 64 Zeichen lang sein.',
    addAction: 'einen Passkey hinzuzufügen',
    cancelled: 'Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen, oder der Authenticator hatte keinen Passkey für dieses Konto. Es hat sich nichts geändert: Versuchen Sie es noch einmal oder verwenden Sie Ihr Passwort.',
    alreadyHere: 'Dieser Authenticator hat schon einen Passkey für Ihr Konto: Er steht in der Liste.',
    wrongAddress: (here: string) =>
      `Passkeys dieses Servers funktionieren nicht unter ${here}. Öffnen Sie diese Seite unter der eigenen Adresse des Servers; für einen Server auf diesem Computer localhost statt 127.0.0.1.`,
    failed: 'Der Browser konnte hier keinen Passkey erstellen oder verwenden. Versuchen Sie es noch einmal oder mit einem anderen Authenticator.',
    noSupport: 'Dieses Fenster kann keine Passkeys verwenden: Seine Browser-Engine unterstützt sie nicht.',
    noAddress: (accountPage: string | undefined) =>
      `Ein Passkey ist an eine Webadresse gebunden, und das Fenster dieser App hat keine. Fügen Sie Passkeys auf Ihrer Kontoseite im Browser hinzu und verwenden Sie sie dort${accountPage ? `: ${accountPage}` : ''}.`,
    signIn: 'Mit einem Passkey anmelden',
    signingIn: 'Warten auf Ihren Passkey…',
    reauth: 'Stattdessen einen Passkey verwenden',
    reauthing: 'Warten auf Ihren Passkey…',
  },
  approval: {
    // The new device, waiting.
    waitTitle: 'Bestätigen Sie diese Anmeldung auf einem anderen Gerät',
    waitTitleReset: 'Bestätigen Sie das Zurücksetzen des Passworts auf einem anderen Gerät',
    pick: 'Wählen Sie auf einem Ihrer angemeldeten Geräte die Zahl',
    numberLabel: (n: number) => `Die zu wählende Zahl: ${n}`,
    waitingForPasskey:
      'Anmeldung mit einem Passkey. Die Anmeldebestätigung ist eingeschaltet: Latch hat Ihre angemeldeten Geräte gefragt; dieser Bildschirm geht von selbst weiter, sobald eines antwortet.',
    waitingFor: (email: string) =>
      `Anmeldung als ${email}. Latch hat Ihre angemeldeten Geräte gefragt; sobald eines antwortet, geht es hier von selbst weiter.`,
    waitingForReset: (email: string) =>
      `Das Passwort von ${email} wird zurückgesetzt. Die Anmeldebestätigung ist eingeschaltet, daher genügt der Zugang zum Postfach allein nicht: Latch hat Ihre angemeldeten Geräte gefragt, und sobald eines antwortet, geht es hier von selbst weiter.`,
    expiresIn: (time: string) => `Die Anfrage läuft in ${time} ab.`,
    // Said to every waiting device alike: whether any device is online is not told (docs/architecture.md, "Sign-in approval").
    noDeviceAtHand: 'Kein Gerät zur Hand? Öffnen Sie Latch auf einem Ihrer angemeldeten Geräte oder verwenden Sie einen Wiederherstellungscode.',
    wrongPasswordHint:
      'Nach ein paar Sekunden erscheint nichts auf Ihren Geräten? Vielleicht ist das Passwort falsch. Dieser Bildschirm kann das nicht sagen, sonst könnte hier jeder Passwörter ausprobieren.',
    retypePassword: 'Passwort erneut eingeben',
    resend: 'Ihre Geräte erneut fragen',
    resent: 'Erneut gefragt: Ihre angemeldeten Geräte zeigen die Anfrage jetzt an.',
    wrongPickHere: (by: string) => `Auf ${q(by)} wurde eine andere Zahl gewählt. Wählen Sie die hier angezeigte Zahl: Sie haben noch einen Versuch.`,
    useCode: 'Stattdessen einen Wiederherstellungscode verwenden',
    codeLabel: 'Wiederherstellungscode',
    codeFormLabel: 'Mit einem Code anmelden',
    codeHint: '10 Buchstaben und Ziffern wie auf Ihrer gespeicherten Liste (der Bindestrich ist optional).',
    useCodeSubmit: 'Mit diesem Code anmelden',
    usingCode: 'Code wird geprüft…',
    codesLeft: (n: number) =>
      `Mit einem Wiederherstellungscode angemeldet. ${left(n, 'Code', 'Codes')}${n <= 3 ? ': Erstellen Sie unter „Angemeldete Geräte“ neue.' : '.'}`,
    cancel: 'Anmeldung abbrechen',
    cancelReset: 'Zurücksetzen abbrechen',
    // After it ended without a sign-in.
    refusedTitle: { denied: 'Anmeldung abgelehnt', wrong_number: 'Anmeldung nicht bestätigt', expired: 'Anmeldeanfrage abgelaufen' },
    refusedText: {
      denied: (by: string | undefined) => `${by ? q(by) : 'Eines Ihrer Geräte'} hat diese Anmeldung abgelehnt.`,
      wrong_number: (by: string | undefined) =>
        `Auf ${by ? q(by) : 'Ihrem anderen Gerät'} wurde die falsche Zahl gewählt, daher wurde diese Anmeldung nicht bestätigt. Melden Sie sich erneut an, um eine neue Zahl zu erhalten.`,
      expired: () => 'Innerhalb von zwei Minuten hat kein Gerät geantwortet. Melden Sie sich erneut an oder verwenden Sie einen Wiederherstellungscode.',
    },
    // The devices that answer.
    promptTitle: (name: string) => `Melden Sie sich gerade auf ${q(name)} an?`,
    promptTitleReset: (name: string) => `Setzen Sie gerade auf ${q(name)} Ihr Passwort zurück?`,
    promptReset: 'Wenn Sie bestätigen, wird das neue Passwort gesetzt und jedes andere Gerät abgemeldet, auch dieses.',
    promptText: (what: string, where: string, time: string) => `${what},${origin(where)}${where ? ',' : ''} ${at(time)}.`,
    promptPick: 'Wenn Sie es sind, wählen Sie die Zahl, die das Gerät anzeigt. Wenn nicht, lehnen Sie ab.',
    pickNamed: (n: number) => `${n} wählen`,
    deny: 'Nein, ablehnen',
    denied: 'Abgelehnt. Wenn Sie sich nicht anmelden wollten, kennt jemand Ihr Passwort: Ändern Sie es jetzt.',
    notApproved:
      'Nicht bestätigt: Zweimal wurde die falsche Zahl gewählt. Wenn Sie es waren, melden Sie sich auf dem Gerät erneut an, um eine neue Zahl zu erhalten. Wenn nicht, kennt jemand Ihr Passwort: Ändern Sie es jetzt.',
    wrongPickPrompt: (name: string, by: string) =>
      `Das war nicht die Zahl, die ${q(name)} anzeigt (gewählt auf ${q(by)}). Sehen Sie noch einmal hin: Bei einer weiteren falschen Zahl wird diese Anmeldung nicht bestätigt.`,
    changePassword: 'Passwort jetzt ändern',
    answeredElsewhere: 'Diese Anfrage wurde bereits auf einem anderen Gerät beantwortet.',
    approvedAnnounce: (name: string) => `Bestätigt: ${q(name)} wird angemeldet. Es erscheint bei Ihren Geräten und unter „Letzte Aktivität“.`,
    // The setting, in the devices window.
    settingTitle: 'Anmeldebestätigung',
    settingLabel: 'Bevor sich ein neues Gerät anmeldet, eines Ihrer angemeldeten Geräte fragen',
    settingOnText: (codes: number) =>
      `Eingeschaltet. Ein neues Gerät braucht ein Ja von einem Ihrer Geräte oder einen Wiederherstellungscode. ${left(codes, 'Wiederherstellungscode', 'Wiederherstellungscodes')}.`,
    settingOffText: 'Ausgeschaltet. Ihr Passwort allein genügt, um ein neues Gerät anzumelden.',
    turnOn: 'Einschalten…',
    turnOff: 'Ausschalten…',
    newCodes: 'Neue Wiederherstellungscodes…',
    confirmOn,
    confirmOff,
    confirmCodes,
    /** `action` is confirmOn, confirmOff or confirmCodes: said as an infinitive with "zu", nouns keep their capital. */
    passwordFor,
    codesTitle: 'Ihre Wiederherstellungscodes',
    codesCopy: 'Kopieren',
    codesSave: 'Als Datei speichern',
    codesPrint: 'Drucken',
    codesCopied: 'Kopiert. Fügen Sie sie in Ihren Passwort-Manager ein und leeren Sie dann die Zwischenablage.',
    codesNotCopied: 'Die Codes konnten hier nicht kopiert werden: Markieren und kopieren Sie sie oder speichern Sie sie als Datei.',
    codesFileHeader:
      'Latch-Wiederherstellungscodes. Jeder Code meldet einmal ein neues Gerät an, anstelle eines Ja von einem Ihrer Geräte oder eines Codes aus Ihrer Authentifizierungs-App. Bewahren Sie sie sicher auf.',
    codesText:
      'Jeder Code meldet einmal ein neues Gerät an, anstelle eines Ja von einem Ihrer Geräte oder eines Codes aus Ihrer Authentifizierungs-App. Speichern Sie sie jetzt an einem sicheren Ort: Die Codes werden nur jetzt angezeigt.',
    codesSaved: 'Ich habe sie gespeichert',
    announceRequest: (name: string) => `Anmeldeanfrage von ${q(name)}. Sind Sie das?`,
    announceOn: 'Die Anmeldebestätigung ist eingeschaltet.',
    announceOff: 'Die Anmeldebestätigung ist ausgeschaltet.',
    // Told to the other devices when one of them changed the setting or its codes.
    announceChange: {
      approval_turned_on: (by: string) => `Die Anmeldebestätigung wurde auf ${q(by)} eingeschaltet.`,
      approval_turned_off: (by: string) => `Die Anmeldebestätigung wurde auf ${q(by)} ausgeschaltet.`,
      recovery_codes_regenerated: (by: string) => `Auf ${q(by)} wurden neue Wiederherstellungscodes erstellt.`,
      recovery_code_used: (by: string) => `${q(by)} hat sich mit einem Wiederherstellungscode angemeldet.`,
      authenticator_turned_on: (by: string) => `Codes aus der Authentifizierungs-App wurden auf ${q(by)} eingeschaltet.`,
      authenticator_turned_off: (by: string) => `Codes aus der Authentifizierungs-App wurden auf ${q(by)} ausgeschaltet.`,
      passkey_added: (by: string) => `Auf ${q(by)} wurde ein Passkey hinzugefügt.`,
      passkey_removed: (by: string) => `Auf ${q(by)} wurde ein Passkey entfernt.`,
      passkey_renamed: (by: string) => `Auf ${q(by)} wurde ein Passkey umbenannt.`,
      passkey_cloned: (name: string) => `Passkey ${q(name)} wurde kopiert und meldet nicht mehr an.`,
    },
    changeTitle: {
      approval_turned_on: 'Latch: Anmeldebestätigung eingeschaltet',
      approval_turned_off: 'Latch: Anmeldebestätigung ausgeschaltet',
      recovery_codes_regenerated: 'Latch: neue Wiederherstellungscodes',
      recovery_code_used: 'Latch: Wiederherstellungscode verwendet',
      authenticator_turned_on: 'Latch: Codes aus der Authentifizierungs-App eingeschaltet',
      authenticator_turned_off: 'Latch: Codes aus der Authentifizierungs-App ausgeschaltet',
      passkey_added: 'Latch: Passkey hinzugefügt',
      passkey_removed: 'Latch: Passkey entfernt',
      passkey_renamed: 'Latch: Passkey umbenannt',
      passkey_cloned: 'Latch: ein kopierter Passkey wurde verwendet',
    },
    changeText: {
      passkey_added: (by: string, time: string) =>
        `${At(time)} auf ${q(by)} hinzugefügt: Er meldet Ihr Konto ohne Passwort an. Waren Sie das nicht? Entfernen Sie ihn unter „Angemeldete Geräte“ und ändern Sie Ihr Passwort.`,
      passkey_removed: (by: string, time: string) => `${At(time)} auf ${q(by)} entfernt.`,
      passkey_renamed: (by: string, time: string) => `${At(time)} auf ${q(by)} umbenannt.`,
      passkey_cloned: (name: string, time: string) =>
        `${At(time)} wurde Passkey ${q(name)} mit einem niedrigeren Zähler als zuvor verwendet: Jemand hat eine Kopie. Er meldet nicht mehr an; entfernen Sie ihn und erstellen Sie einen neuen.`,
      authenticator_turned_on: (by: string, time: string) =>
        `${At(time)} auf ${q(by)} eingeschaltet. Die Anmeldung mit dem Passwort braucht jetzt auch einen Code aus der Authentifizierungs-App oder einen Wiederherstellungscode.`,
      authenticator_turned_off: (by: string, time: string) =>
        `${At(time)} auf ${q(by)} ausgeschaltet. Die Anmeldung braucht keinen Code aus der Authentifizierungs-App mehr. Waren Sie das nicht? Ändern Sie Ihr Passwort.`,
      approval_turned_on: (by: string, time: string) =>
        `${At(time)} auf ${q(by)} eingeschaltet. Ein neues Gerät braucht jetzt ein Ja von einem Ihrer Geräte oder einen Wiederherstellungscode.`,
      approval_turned_off: (by: string, time: string) =>
        `${At(time)} auf ${q(by)} ausgeschaltet. Jetzt genügt Ihr Passwort allein, um ein neues Gerät anzumelden. Waren Sie das nicht? Ändern Sie Ihr Passwort.`,
      recovery_codes_regenerated: (by: string, time: string) =>
        `Auf ${q(by)} wurden ${at(time)} neue Wiederherstellungscodes erstellt; die alten gelten nicht mehr. Waren Sie das nicht? Ändern Sie Ihr Passwort.`,
      recovery_code_used: (by: string, time: string, codes?: number) =>
        `${q(by)} hat sich ${at(time)} mit einem Wiederherstellungscode angemeldet${codes === undefined ? '' : `; ${left(codes, 'Code', 'Codes').replace(/^./, (c) => c.toLowerCase())}`}. Waren Sie das nicht? Melden Sie das Gerät unter „Angemeldete Geräte“ ab und ändern Sie Ihr Passwort.`,
    },
  },
  announce: {
    signedOut: (name: string) => `${q(name)} ist abgemeldet.`,
    signedOutOthers: (n: number) => `${count(n, 'anderes Gerät', 'andere Geräte')} abgemeldet.`,
    signedOutElsewhere: (name: string) => `${q(name)} wurde abgemeldet.`,
    signedInElsewhere: (name: string) => `${q(name)} hat sich angemeldet.`,
    renamed: (name: string) => `Dieses Gerät heißt jetzt ${q(name)}.`,
    alertsDismissed: 'Alle Hinweise auf neue Anmeldungen geschlossen.',
  },
  notification: {
    newSignInTitle: 'Latch: neue Anmeldung',
    newSignInBody: (name: string, what: string, where: string) =>
      `${q(name)} (${what}) hat sich${origin(where)} angemeldet. Waren Sie das nicht? Öffnen Sie „Angemeldete Geräte“, um das Gerät abzumelden.`,
    forcedTitle: (reason: SignOutReason) => `Latch: ${noticeTitle(reason)}`,
    signInRequestTitle: 'Latch: Melden Sie sich gerade an?',
    signInRequestBody: (name: string, where: string) =>
      `${q(name)} möchte sich${origin(where)} bei Ihrem Konto anmelden. Öffnen Sie Latch, um die Anmeldung zu bestätigen oder abzulehnen.`,
    copiedTitle: 'Latch: Ein kopierter Anmeldeschlüssel wurde verwendet',
    copiedBody: (name: string, from: string, alsoFrom?: string) =>
      `${usedIn(undefined, `von ${q(name)}`, from, alsoFrom)} Latch hat ${q(name)} abgemeldet. Ändern Sie Ihr Passwort.`,
  },
  /**
   * Mail the server sends (server/mail/templates.ts makes the plain text and the HTML from these). A
   * message is a subject and paragraphs; `code` is shown large in the HTML and on a line of its own in text.
   */
  mail: {
    footer: (server: string) => `Diese E-Mail wurde vom Latch-Server unter ${server} gesendet. Latch fragt nie per E-Mail nach Ihrem Passwort.`,
    minutes: (n: number) => count(n, 'Minute', 'Minuten'),
    signUpCode: {
      subject: (code: string) => `${code} ist Ihr Latch-Code`,
      lines: (minutes: string) => [`Geben Sie diesen Code in Latch ein, um Ihr Konto fertig zu erstellen. Er ist einmal verwendbar und gilt ${minutes} lang.`],
      after: ['Wenn Sie kein Konto angefordert haben, ignorieren Sie diese E-Mail: Ohne den Code wird nichts erstellt.'],
    },
    alreadyRegistered: {
      subject: 'Sie haben bereits ein Latch-Konto',
      lines: (email: string) => [
        `Jemand, wahrscheinlich Sie, wollte ein Latch-Konto für ${email} erstellen. Sie haben bereits eines, daher wurde nichts erstellt.`,
        'Melden Sie sich mit Ihrem Passwort an. Vergessen? Wählen Sie auf dem Anmeldebildschirm „Passwort vergessen?“, dann erhalten Sie einen Code per E-Mail.',
      ],
    },
    resetCode: {
      subject: (code: string) => `${code} ist Ihr Code zum Zurücksetzen des Latch-Passworts`,
      lines: (minutes: string) => [`Geben Sie diesen Code in Latch ein, um ein neues Passwort zu wählen. Er ist einmal verwendbar und gilt ${minutes} lang.`],
      after: [
        'Wenn Sie ein neues Passwort wählen, werden alle anderen Geräte abgemeldet. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.',
      ],
    },
    operatorReset: {
      lines: (minutes: string) => [
        `Auf Ihre Bitte hat Ihnen der Betreiber Ihres Latch-Servers diesen Code gesendet, damit Sie ein neues Passwort wählen können. Er ist einmal verwendbar und gilt ${minutes} lang.`,
      ],
      link: 'Neues Passwort auf der Kontoseite wählen',
      inApp: 'In der Latch-App sendet Ihnen „Passwort vergessen?“ stattdessen einen neuen Code.',
    },
    stepUpCode: {
      subject: (code: string) => `${code} schließt Ihre Latch-Anmeldung ab`,
      lines: (minutes: string) => [
        `Für Ihr Latch-Konto wurden viele falsche Passwörter von Orten aus ausprobiert, an denen Sie sich nicht angemeldet haben. Deshalb braucht eine Anmeldung von einem neuen Ort zusätzlich zu Ihrem Passwort diesen Code. Er gilt ${minutes} lang.`,
      ],
      after: [
        'Wenn Sie sich gerade nicht anmelden, geben Sie ihn an niemanden weiter: Ohne ihn kann niemand anderswo Ihr Passwort auch nur ausprobieren. Sonst müssen Sie nichts tun.',
      ],
    },
    verifyCode: {
      subject: (code: string) => `${code} bestätigt Ihre E-Mail-Adresse für Latch`,
      lines: (minutes: string) => [
        `Geben Sie diesen Code in Latch ein, um diese Adresse zu bestätigen. Er ist einmal verwendbar und gilt ${minutes} lang. Latch sendet Sicherheitswarnungen nur an eine bestätigte Adresse.`,
      ],
    },
    security: {
      subject: (n: number, first: string) =>
        n === 1 ? `Latch-Sicherheitswarnung: ${first}` : `Latch-Sicherheitswarnung: ${count(n, 'Änderung', 'Änderungen')} an Ihrem Konto`,
      intro: (email: string) => `Das ist bei Ihrem Latch-Konto ${email} geschehen:`,
      // `where` is place() outside a sentence ("Dieser Computer"), so it goes in brackets after the address.
      line: (what: string, when: string, where: string | undefined, ip: string) => `${what}, am ${when}, von ${ip}${where ? ` (${where})` : ''}.`,
      notMe: 'Wenn Sie das nicht waren, öffnen Sie jetzt Ihre Kontoseite, melden Sie jedes Gerät ab, das Sie nicht kennen, und ändern Sie dann Ihr Passwort:',
      notMeLink: 'Das war ich nicht',
      turnOff: 'E-Mails bei neuen Anmeldungen können Sie unter „Angemeldete Geräte“ ausschalten. Die anderen Warnungen werden immer gesendet.',
    },
  },
};
