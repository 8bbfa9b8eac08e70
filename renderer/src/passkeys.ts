// The window's side of a passkey (docs/architecture.md, "Passkeys"): the core asks the server for a
// ceremony's options; this page hands them to `navigator.credentials` (through @simplewebauthn/browser),
// and what the authenticator made goes back through the core. Whether this page can do it at all is
// said before anyone tries: a passkey is bound to a web address, and the packaged app's page has none.
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import type { PasskeyOptions } from '../../shared/api.js';
import type { IpcError } from '../../shared/ipc.js';
import { messages } from '../../shared/messages.js';
import type { PasskeyAsserted, PasskeyCreated } from '../../shared/session/ports.js';

/** Whether this page can make and use passkeys: `noSupport` (no WebAuthn here), `noAddress` (a file page, as the packaged app's). */
export type PasskeysHere = 'available' | 'noSupport' | 'noAddress';

export function passkeysHere(): PasskeysHere {
  if (typeof window.PublicKeyCredential !== 'function') return 'noSupport';
  if (location.protocol !== 'https:' && location.protocol !== 'http:') return 'noAddress';
  return 'available';
}

/** The account page's address on the server this window signs in to, to add passkeys in a browser. */
export function accountPageOf(serverUrl: string | undefined): string | undefined {
  if (!serverUrl) return undefined;
  try {
    return new URL('/account', serverUrl).href;
  } catch {
    return undefined;
  }
}

/** Why this page cannot use passkeys, in the reader's words (naming the account page of `serverUrl`); nothing where it can. */
export function whyNoPasskeys(here: PasskeysHere, serverUrl: string | undefined): string | undefined {
  return here === 'noSupport' ? messages.passkeys.noSupport : here === 'noAddress' ? messages.passkeys.noAddress(accountPageOf(serverUrl)) : undefined;
}

/** Why the browser's part failed, in the reader's words: cancelled, an authenticator that has one already, the wrong address. */
function ceremonyFailed(error: unknown): IpcError {
  const t = messages.passkeys;
  const cause = (error as { cause?: { name?: string } }).cause;
  const name = cause?.name ?? (error as { name?: string }).name;
  const code = (error as { code?: string }).code;
  if (name === 'NotAllowedError' || name === 'AbortError') return { code: 'passkey_cancelled', message: t.cancelled };
  if (name === 'InvalidStateError' || code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return { code: 'passkey_already_here', message: t.alreadyHere };
  if (name === 'SecurityError' || code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID') return { code: 'passkey_wrong_address', message: t.wrongAddress(location.host) };
  return { code: 'passkey_failed', message: t.failed };
}

/** At most this many credentials named, as a server keeps at most 20 an account; five minutes at most. */
const MOST_CREDENTIALS = 20;
const MOST_MS = 5 * 60_000;

/**
 * The server's options as the browser gets them: no extensions (whose outputs would go back to whoever asked),
 * a challenge of a sane size, a bounded list and wait. A server that asks for more is refused here.
 */
function held<T extends { challenge?: unknown; extensions?: unknown; timeout?: unknown; allowCredentials?: unknown; excludeCredentials?: unknown }>(options: T): T | undefined {
  const { extensions: _dropped, ...rest } = options;
  const listed = (list: unknown) => list === undefined || (Array.isArray(list) && list.length <= MOST_CREDENTIALS);
  if (typeof rest.challenge !== 'string' || rest.challenge.length > 128 || !listed(rest.allowCredentials) || !listed(rest.excludeCredentials)) return undefined;
  return { ...rest, timeout: Math.min(typeof rest.timeout === 'number' ? rest.timeout : MOST_MS, MOST_MS) } as T;
}

const refusedOptions = (): IpcError => ({ code: 'passkey_failed', message: messages.passkeys.failed });

/** `navigator.credentials.create` with the server's options. */
export async function createPasskey(options: PasskeyOptions['options']): Promise<{ response: PasskeyCreated } | { error: IpcError }> {
  const optionsJSON = held(options as unknown as PublicKeyCredentialCreationOptionsJSON);
  if (!optionsJSON) return { error: refusedOptions() };
  try {
    return { response: { ...(await startRegistration({ optionsJSON })), clientExtensionResults: {} } as PasskeyCreated };
  } catch (error) {
    return { error: ceremonyFailed(error) };
  }
}

/** `navigator.credentials.get` with the server's options. */
export async function usePasskey(options: PasskeyOptions['options']): Promise<{ response: PasskeyAsserted } | { error: IpcError }> {
  const optionsJSON = held(options as unknown as PublicKeyCredentialRequestOptionsJSON);
  if (!optionsJSON) return { error: refusedOptions() };
  try {
    return { response: { ...(await startAuthentication({ optionsJSON })), clientExtensionResults: {} } as PasskeyAsserted };
  } catch (error) {
    return { error: ceremonyFailed(error) };
  }
}
