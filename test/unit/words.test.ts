// Every sentence an error says comes from shared/messages by its key (docs/design/renderer.md, "Words"): the
// server's (ErrorSay), the client's own (CoreSay) and each field's rule. Each language has words for every
// key (the compiler holds it to English's keys); these tests hold that those words are the language's own,
// and that what a client does not know (a newer server's key, a malformed one) is shown as it came.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { z } from 'zod';
import { ErrorSay, FIELD_NAMES, NAMED_RULES, OWN_RULES, rule } from '../../shared/api.js';
import { CoreSay, type Say } from '../../shared/ipc.js';
import { errorWords, fieldSaid, languages, said, serverSays } from '../../shared/messages.js';
import { en } from '../../shared/messages/en.js';
import { CoreError } from '../../shared/session/errors.js';

/** What a key carries, as a sample: a number or a name for each field its variant has beside the key. */
const SAMPLE: Record<string, unknown> = { seconds: 30, minutes: 10, per: 'device', device: 'Arbeitslaptop', method: 'GET', path: '/v1/nowhere', host: 'latch.example.com:8080', hostname: 'latch.example.com', status: 418 };

/** One `say` of every key of a union of variants. */
function everySay(union: { options: readonly z.ZodObject[] }): Say[] {
  return union.options.flatMap((variant) => {
    const key = variant.shape.key as unknown as { options?: readonly string[]; value?: string; values?: Set<string> };
    const keys = key.options ?? [...(key.values ?? [])];
    const rest = Object.fromEntries(Object.keys(variant.shape).filter((name) => name !== 'key').map((name) => [name, SAMPLE[name]]));
    return keys.map((k) => variant.parse({ key: k, ...rest }) as Say);
  });
}

const SAYS = [...everySay(ErrorSay as unknown as { options: readonly z.ZodObject[] }), ...everySay(CoreSay as unknown as { options: readonly z.ZodObject[] })];

it('every key of the server and of the client has words in every language, each its own', () => {
  // Every key the schemas have is sampled, and English has words for those and no others.
  assert.deepEqual(SAYS.map((say) => say.key).sort(), Object.keys(en.errors).sort());
  for (const [name, language] of Object.entries(languages)) {
    for (const say of SAYS) {
      const words = errorWords(say, language);
      assert.match(words, /\S/, `${name}: ${say.key}`);
      if (language !== en) assert.notEqual(words, errorWords(say, en), `${name} says ${say.key} in English`);
    }
  }
  // What a key carries is in its words.
  assert.match(errorWords({ key: 'request_answered_on', device: 'Arbeitslaptop' }, languages.de), /„Arbeitslaptop“/);
  assert.equal(serverSays({ key: 'too_many_attempts', seconds: 1 }), 'Too many sign-in attempts. Try again in 1 second.');
  assert.equal(serverSays({ key: 'sign_ins_paused', seconds: 60 }), 'New sign-ins to this account are paused for a minute, because sign-in requests were refused on its devices.');
  assert.equal(serverSays({ key: 'sign_ins_paused', seconds: 61 }), 'New sign-ins to this account are paused for 2 minutes, because sign-in requests were refused on its devices.');
});

it('every field rule has words in every language, with the field and the limit', () => {
  const rules = [...OWN_RULES, ...NAMED_RULES.flatMap((kind) => FIELD_NAMES.map((field) => rule(kind, field)))];
  for (const [name, language] of Object.entries(languages)) {
    for (const refusal of rules) {
      const words = fieldSaid({ message: refusal, limit: 64 }, language);
      assert.notEqual(words, refusal, `${name}: ${refusal} has words`);
      if (language !== en) assert.notEqual(words, fieldSaid({ message: refusal, limit: 64 }, en), `${name} says ${refusal} in English`);
    }
  }
  assert.equal(fieldSaid({ message: rule('too_long', 'deviceName'), limit: 64 }, languages.de), 'Der Gerätename darf höchstens 64 Zeichen lang sein');
  // A server's detail: by its rule, not its English.
  assert.equal(fieldSaid({ message: 'Device name must not be empty', rule: rule('required', 'deviceName') }, languages.de), 'Der Gerätename darf nicht leer sein');
  // A length said without a length, or with one no field has, as it came.
  for (const limit of [undefined, 0, -3, 1e9]) {
    assert.equal(fieldSaid({ message: 'Email must be at most 254 characters', rule: rule('too_long', 'email'), ...(limit !== undefined ? { limit } : {}) }, languages.de), 'Email must be at most 254 characters');
  }
  // zod's own words (no rule), as they came.
  assert.equal(fieldSaid({ message: 'Invalid input: expected string, received undefined' }, languages.de), 'Invalid input: expected string, received undefined');
});

it('the keychain is named, and what it answered is shown, in the reader\'s language', () => {
  const de = languages.de!;
  assert.equal(en.keychainUnavailable('secret_service', 'no D-Bus'), 'The system keyring is not available (no D-Bus). Install and unlock a keyring: GNOME Keyring or KWallet.');
  assert.equal(de.keychainUnavailable('secret_service', 'no D-Bus'), 'Der Schlüsselbund des Systems ist nicht verfügbar (no D-Bus). Installieren und entsperren Sie einen Schlüsselbund: GNOME Keyring oder KWallet.');
  for (const store of ['macos', 'windows', 'secret_service', 'browser'] as const) {
    assert.notEqual(de.home.keychainSaved(store), en.home.keychainSaved(store));
    assert.notEqual(de.keychainUnavailable(store, undefined), en.keychainUnavailable(store, undefined));
  }
});

it('an error whose key the client does not know, or that does not parse, is said by its code or as it came', () => {
  const de = languages.de!;
  // A newer server's key: its English, as it came.
  assert.equal(said({ code: 'conflict', message: 'Something new happened.', say: { key: 'something_new' } }, de), 'Something new happened.');
  // Text a server puts into a sentence of the client's is held to its shape, so that no server's words pass for
  // the client's own: a name longer than a device's, or with quotes to close the sentence's own; a path with spaces.
  for (const say of [
    { key: 'request_answered_on', device: 'x'.repeat(65) },
    { key: 'request_answered_on', device: 'x“ beantwortet. Ihr Konto ist gesperrt: https://evil.example „y' },
    { key: 'request_answered_on', device: 'Laptop\u202Eevil' },
    { key: 'no_route', method: 'Ihr', path: 'Konto wurde gesperrt. Bestätigen Sie Ihr Passwort' },
    { key: 'no_route', method: 'GET', path: '/v1/x Ihr Konto wurde gesperrt' },
  ]) {
    assert.equal(said({ code: 'conflict', message: 'As it came.', say }, de), 'As it came.', JSON.stringify(say));
  }
  // No key, but a code the language says on its own.
  assert.match(said({ code: 'rate_limited', message: 'Too many.', retryAfterSeconds: 5 }, de), /^Zu viele Anfragen\. Versuchen Sie es in 5 Sekunden erneut\.$/);
  // An argument the core refused says its first field's rule (a five-digit code in the confirm-address banner).
  const refused = { code: 'invalid_argument', message: 'The code is the 6 digits in the mail', details: [{ path: '0', message: 'The code is the 6 digits in the mail', rule: 'code_digits' }] };
  assert.equal(said(refused, de), 'Der Code besteht aus den 6 Ziffern in der E-Mail');
  // The client's own error crosses IPC with its key, and is said in the reader's language.
  const error = new CoreError('invalid_input', 'insecure_server_url', { key: 'plain_http_elsewhere', host: 'latch.example.com', hostname: 'latch.example.com' }).toIpc();
  assert.equal(error.message, 'Latch only uses plain http on this computer. Use https://latch.example.com to reach latch.example.com.');
  assert.equal(said(error, de), 'Latch verwendet unverschlüsseltes http nur auf diesem Computer. Verwenden Sie https://latch.example.com, um latch.example.com zu erreichen.');
});
