// What the session runner needs from the world, as interfaces: the keychain,
// the server's HTTP API, the live channel, a clock and the profile file. The
// defaults are the real ones; unit tests pass fakes (docs/architecture.md,
// "The session state machine").
import type { KeychainState } from '../../shared/ipc.js';
import { ApiClient } from './api-client.js';
import type { BackoffPolicy } from './backoff.js';
import type { ProfileData } from './profile-store.js';
import { ProfileStore } from './profile-store.js';
import { RealtimeClient, type RealtimeHandlers } from './realtime-client.js';
import { TokenVault, loadKeytar, type SecretBackend } from './token-vault.js';

export interface Vault {
  readonly state: KeychainState;
  read(): Promise<string | undefined>;
  /** False when the keychain failed and the token is held in memory only from now on. */
  write(token: string): Promise<boolean>;
  delete(): Promise<void>;
}

export type Api = Pick<
  ApiClient,
  | 'register'
  | 'login'
  | 'logout'
  | 'rotate'
  | 'changePassword'
  | 'listSessions'
  | 'renameCurrent'
  | 'revokeSession'
  | 'revokeOthers'
  | 'signedOutSessions'
  | 'reauthenticate'
  | 'securityEvents'
  | 'waitForApproval'
  | 'recover'
  | 'cancelSignIn'
  | 'resendSignIn'
  | 'signInRequests'
  | 'answerSignInRequest'
  | 'approvalSetting'
  | 'setApproval'
  | 'regenerateRecoveryCodes'
  | 'loginWithCode'
  | 'verifySignUp'
  | 'requestPasswordReset'
  | 'resetPassword'
  | 'sendEmailCode'
  | 'confirmEmail'
  | 'mailSettings'
  | 'setMailSettings'
>;

export interface Realtime {
  start(): void;
  stop(): void;
  /** Open a socket with the current token, then close the one it replaces. */
  renew(): void;
  reconnectNow(): void;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface Profile {
  read(): ProfileData;
  update(change: Partial<ProfileData>): ProfileData;
}

export interface SessionPorts {
  /** The keychain entry for this profile on this server. */
  vault(serverUrl: string): Vault;
  api(serverUrl: string, token: () => string | undefined): Api;
  realtime(serverUrl: string, token: () => string | undefined, handlers: RealtimeHandlers): Realtime;
  clock: Clock;
  profile: Profile;
}

export interface RealPortOptions {
  profile: string;
  dataDir: string;
  appVersion: string;
  secretBackend?: () => Promise<SecretBackend>;
  backoff?: BackoffPolicy;
  deadAfterMs?: number;
  requestTimeoutMs?: number;
}

/** Node's timers, unref'd: a pending rotation never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function realPorts(options: RealPortOptions): SessionPorts {
  return {
    vault: (serverUrl) => new TokenVault(TokenVault.accountFor(options.profile, serverUrl), options.secretBackend ?? loadKeytar),
    api: (serverUrl, token) =>
      new ApiClient({
        baseUrl: serverUrl,
        token,
        userAgent: `Latch/${options.appVersion} (${process.platform})`,
        ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
      }),
    realtime: (serverUrl, token, handlers) =>
      new RealtimeClient({
        serverUrl,
        token,
        handlers,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.deadAfterMs ? { deadAfterMs: options.deadAfterMs } : {}),
      }),
    clock: systemClock,
    profile: new ProfileStore(options.dataDir),
  };
}
