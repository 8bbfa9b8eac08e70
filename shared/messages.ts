// Every sentence a person reads in Latch comes from here, in the language the
// OS or the browser prefers: English (messages/en.ts, the source) or German
// (messages/de.ts). A language is a module of the same shape, `Messages`.
// The server writes its mail and the operator's tool in English (`en`), and
// names a browser in its page's language (server/http/browser.ts).
import { isFieldRule, type ErrorSay, type RuledDetail } from './api.js';
import { Say } from './ipc.js';
import { de } from './messages/de.js';
import { en } from './messages/en.js';

/** The shape of a language: English's keys and arguments, any words. */
type Words<T> = T extends string
  ? string
  : T extends (...args: infer A) => infer R
    ? (...args: A) => Words<R>
    : T extends readonly (infer U)[]
      ? readonly Words<U>[]
      : T extends object
        ? { readonly [K in keyof T]: Words<T[K]> }
        : T;
export type Messages = Words<typeof en>;

export const languages: Readonly<Record<string, Messages>> = { en, de };
export { en };

/** The first of `preferred` (BCP 47 tags, most wanted first) that Latch speaks; English otherwise. */
export function messagesFor(preferred: readonly string[]): Messages {
  for (const tag of preferred) {
    const language = tag.toLowerCase().split('-')[0] ?? '';
    // Own keys only: a tag such as "constructor" is no language.
    if (Object.hasOwn(languages, language)) return languages[language]!;
  }
  return en;
}

/** What the page or window prefers: `navigator.languages` in a browser and in Electron (from the OS). */
function preferred(): readonly string[] {
  const nav = (globalThis as { navigator?: { languages?: readonly string[] } }).navigator;
  return nav?.languages ?? [Intl.DateTimeFormat().resolvedOptions().locale];
}

export let messages: Messages = messagesFor(preferred());

/**
 * From now on, the first of `preferred` Latch speaks. For Electron's main process (its OS notifications),
 * which learns the OS's languages only once the app is ready; windows and pages pick theirs as they load.
 */
export function speak(preferred: readonly string[]): void {
  messages = messagesFor(preferred);
}

/** The sentence `say` stands for, in `language`. */
export function errorWords(say: Say, language: Messages = messages): string {
  const words = language.errors[say.key] as string | ((say: Say) => string);
  return typeof words === 'string' ? words : words(say);
}

/** A server's sentence (`ErrorSay`) in English: the `message` of its answer. */
export const serverSays = (say: ErrorSay): string => errorWords(say, en);

/**
 * An error in `language`: by its key (`say`), else by its code where the language says it by code, else as it
 * came (an error from a server with keys this client does not know). A key that does not parse is no key.
 */
export function said(
  error: { code?: string; message: string; say?: unknown; retryAfterSeconds?: number | undefined; details?: readonly RuledDetail[] | undefined },
  language: Messages = messages,
): string {
  const say = Say.safeParse(error.say);
  if (say.success) return errorWords(say.data, language);
  // An argument the core refused (`invalid_argument`) says what its first field's rule says.
  const first = error.details?.[0];
  if (first?.rule !== undefined) return fieldSaid(first, language);
  return language.saidByCode(error) ?? error.message;
}

/**
 * A field's refusal in `language`: by its rule (a zod issue's message, or a server's detail with `rule`) and the
 * limit of the check that refused; anything else (zod's own words, a detail without a rule) as it came.
 */
export function fieldSaid(refusal: { message: string; rule?: string | undefined; limit?: number | undefined }, language: Messages = messages): string {
  const rule = refusal.rule ?? refusal.message;
  if (!isFieldRule(rule)) return refusal.message;
  const [kind, field] = rule.split(':') as [keyof Messages['fieldRules'], keyof Messages['fieldNames'] | undefined];
  const words = language.fieldRules[kind];
  if (typeof words === 'string') return words;
  // A length said without its length, or with one no field has, is said as it came.
  const limit = refusal.limit;
  if ((kind === 'too_short' || kind === 'too_long') && (limit === undefined || !Number.isSafeInteger(limit) || limit < 1 || limit > 100_000)) return refusal.message;
  return words(field ? language.fieldNames[field] : '', limit ?? 0);
}

/** A validation error's details in `language`, each by its rule. */
export const detailsSaid = (details: readonly RuledDetail[], language: Messages = messages): RuledDetail[] =>
  details.map((detail) => ({ ...detail, message: fieldSaid(detail, language) }));
