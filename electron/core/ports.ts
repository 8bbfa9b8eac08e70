// The desktop's ports for the session runner (shared/session/ports.ts): the OS keychain, axios to the
// server, ws for the live channel, Node's timers, the profile file and this computer's name and OS.
import { createHash, randomBytes } from 'node:crypto';
import type { BackoffPolicy } from '../../shared/session/backoff.js';
import type { Clock, SessionPorts } from '../../shared/session/ports.js';
import { ApiClient } from './api-client.js';
import { deviceIdentity } from './device.js';
import { ProfileStore } from './profile-store.js';
import { RealtimeClient } from './realtime-client.js';
import { TokenVault, loadKeytar, type SecretBackend } from './token-vault.js';

export interface RealPortOptions {
  profile: string;
  dataDir: string;
  appVersion: string;
  secretBackend?: () => Promise<SecretBackend>;
  backoff?: BackoffPolicy;
  deadAfterMs?: number;
  requestTimeoutMs?: number;
  /** This device's name until renamed (the host name when not given). */
  deviceName?: string;
  /** The OS name and version sent at sign-in (read from the system when not given). */
  os?: string;
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
    identity: {
      device: (savedName) => deviceIdentity({ name: savedName ?? options.deviceName, appVersion: options.appVersion, os: options.os }),
      claim: () => randomBytes(32).toString('base64url'),
      fingerprint: (token) => createHash('sha256').update(token).digest('hex').slice(0, 16),
    },
    report: (error) => process.emitWarning(error instanceof Error ? error : String(error)),
  };
}
