// The desktop's session runner: the shared runner (shared/session/runner.ts) with the real keychain,
// API client, live channel, clock, profile file and this computer's identity (ports.ts). Everything a
// session does is decided by the shared machine; this file only chooses the ports. See
// docs/architecture.md, "The session state machine".
import type { BackoffPolicy } from '../../shared/session/backoff.js';
import type { SessionPorts } from '../../shared/session/ports.js';
import { SessionRunner } from '../../shared/session/runner.js';
import { realPorts } from './ports.js';
import type { SecretBackend } from './token-vault.js';

export interface SessionControllerOptions {
  /** Selects the data folder and keychain account; two profiles are two devices. */
  profile: string;
  dataDir: string;
  appVersion: string;
  /** Used until the person enters another address. */
  defaultServerUrl: string;
  /** This device's name until renamed (the host name when not given). */
  deviceName?: string;
  /** The OS name and version sent at sign-in (read from the system when not given). */
  os?: string;
  secretBackend?: () => Promise<SecretBackend>;
  backoff?: BackoffPolicy;
  deadAfterMs?: number;
  requestTimeoutMs?: number;
  /** While signed in, the token is replaced this often as well as on every (re)connect (12 hours when not given). */
  rotateEveryMs?: number;
  /** Replaces any of the real keychain, API, live channel, clock or profile file (unit tests). */
  ports?: Partial<SessionPorts>;
  /** Where a failed effect is reported (the log); the queue goes on with the next one. */
  report?: (error: unknown) => void;
}

export class SessionController extends SessionRunner {
  constructor(options: SessionControllerOptions) {
    super(
      { ...realPorts(options), ...(options.report ? { report: options.report } : {}), ...options.ports },
      { defaultServerUrl: options.defaultServerUrl, ...(options.rotateEveryMs !== undefined ? { rotateEveryMs: options.rotateEveryMs } : {}) },
    );
  }
}
