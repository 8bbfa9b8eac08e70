// Desktop devices for core tests: real SessionControllers with their own data
// folders and keychain entries, and ways to wait for what the person would see.
import { SIGN_UP_SUBJECT } from '../../kit/http.js';
import { codeMailedTo } from '../../kit/mailbox.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { SessionState } from '../../shared/ipc.js';
import { startTestServer, tempSqlite, type TestServer } from './server.js';
import { openProfile } from '../../electron/core/profile.js';
import type { SessionController } from '../../electron/core/session-controller.js';
import type { ControllerEvent } from '../../shared/session/runner.js';
import { KEYCHAIN_SERVICE, loadKeytar, TokenVault, type SecretBackend } from '../../electron/core/token-vault.js';

export const FAST_BACKOFF = { initialMs: 50, maxMs: 500 };

export interface TestDevice {
  controller: SessionController;
  profile: string;
  appDataDir: string;
  events: ControllerEvent[];
  /** The keychain entry's account for this device and server. */
  account: string;
}

let counter = 0;

export interface DeviceOptions {
  deviceName?: string;
  profile?: string;
  appDataDir?: string;
  rotateEveryMs?: number;
  secretBackend?: () => Promise<SecretBackend>;
}

export function newDevice(serverUrl: string, options: DeviceOptions = {}): TestDevice {
  const appDataDir = options.appDataDir ?? mkdtempSync(join(tmpdir(), 'latch-device-'));
  const profile = options.profile ?? `test${process.pid}x${counter++}`;
  const controller = openProfile({
    profile,
    appDataDir,
    appVersion: '0.1.0-test',
    defaultServerUrl: serverUrl,
    backoff: FAST_BACKOFF,
    ...(options.deviceName ? { deviceName: options.deviceName } : {}),
    ...(options.rotateEveryMs ? { rotateEveryMs: options.rotateEveryMs } : {}),
    ...(options.secretBackend ? { secretBackend: options.secretBackend } : {}),
  });
  const events: ControllerEvent[] = [];
  controller.subscribe((event) => events.push(event));
  return { controller, profile, appDataDir, events, account: TokenVault.accountFor(profile, new URL(serverUrl).origin) };
}

export function disposeDevice(device: TestDevice, removeData = true): void {
  device.controller.dispose();
  if (removeData) rmSync(device.appDataDir, { recursive: true, force: true });
}

/** Resolves with the state once it matches; rejects with the last state seen. */
export function waitForState<S extends SessionState>(
  controller: SessionController,
  matches: (state: SessionState) => state is S,
  timeoutMs?: number,
): Promise<S>;
export function waitForState(controller: SessionController, matches: (state: SessionState) => boolean, timeoutMs?: number): Promise<SessionState>;
export function waitForState(controller: SessionController, matches: (state: SessionState) => boolean, timeoutMs = 5_000): Promise<SessionState> {
  return new Promise((resolve, reject) => {
    if (matches(controller.getState())) return resolve(controller.getState());
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`state not reached in ${timeoutMs} ms; last: ${JSON.stringify(controller.getState())}`));
    }, timeoutMs);
    const unsubscribe = controller.subscribe((event) => {
      if (event.type === 'state' && matches(event.state)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(event.state);
      }
    });
  });
}

export function waitForEvent<T extends ControllerEvent['type']>(
  device: TestDevice,
  type: T,
  matches: (event: Extract<ControllerEvent, { type: T }>) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Extract<ControllerEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${type} event in ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = device.controller.subscribe((event) => {
      if (event.type === type && matches(event as Extract<ControllerEvent, { type: T }>)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(event as Extract<ControllerEvent, { type: T }>);
      }
    });
  });
}

export const isSignedIn = (s: SessionState): s is Extract<SessionState, { status: 'signedIn' }> => s.status === 'signedIn';
export const isOnline = (s: SessionState): s is Extract<SessionState, { status: 'signedIn' }> => s.status === 'signedIn' && s.connection === 'online';
export const isSignedOut = (s: SessionState): s is Extract<SessionState, { status: 'signedOut' }> => s.status === 'signedOut';

/** Reads the keychain directly, not through the vault. */
export async function keychainEntry(account: string): Promise<string | null> {
  return (await loadKeytar()).getPassword(KEYCHAIN_SERVICE, account);
}

/**
 * Registers before/after hooks for a suite: a real server on a fresh SQLite
 * file, and cleanup of every device made with `device()`.
 */
export function serverWithDevices(serverOptions: Parameters<typeof startTestServer>[1] = {}): {
  server(): TestServer;
  device(deviceName: string, options?: Omit<DeviceOptions, 'deviceName'>): TestDevice;
} {
  const sqlite = tempSqlite();
  const devices: TestDevice[] = [];
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer(sqlite.store, serverOptions);
  });
  after(async () => {
    for (const d of devices) disposeDevice(d);
    await server?.close();
    sqlite.dispose();
  });
  return {
    server: () => server!,
    device: (deviceName, options = {}) => {
      const d = newDevice(server!.url, { deviceName, ...options });
      devices.push(d);
      return d;
    },
  };
}

/**
 * Creates an account on `controller`'s device as a person does: the sign-up, then the code from the mail (the
 * server's local mailbox), which signs the device in.
 */
export async function createAccount(controller: SessionController, serverUrl: string, email: string, password: string): Promise<SessionState> {
  const waiting = await controller.signIn({ mode: 'createAccount', serverUrl, email, password });
  if (waiting.status !== 'awaitingCode' || waiting.purpose !== 'signUp') throw new Error(`sign-up did not ask for the code: ${waiting.status}`);
  return controller.signInWithCode(await codeMailedTo(email, SIGN_UP_SUBJECT), '');
}
