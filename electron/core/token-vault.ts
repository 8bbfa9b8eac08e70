// The session token's only home outside main's memory: the OS keychain.
// Service "Latch", account "<profile>@<server origin>". When no keychain can be
// reached the token is kept in memory for this run only, never on disk, and
// the state says so.
import type { KeychainState, KeychainStore } from '../../shared/ipc.js';

/** The part of keytar the vault uses. */
export interface SecretBackend {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export const KEYCHAIN_SERVICE = 'Latch';

/** The keychain of the OS: the Secret Service (GNOME Keyring, KWallet) everywhere but macOS and Windows. */
export function keychainStore(platform: NodeJS.Platform = process.platform): KeychainStore {
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  return 'secret_service';
}

/** keytar, loaded lazily: a missing or broken native module means no keychain, not a crash. */
export async function loadKeytar(): Promise<SecretBackend> {
  const module = (await import('keytar')) as { default?: SecretBackend } & SecretBackend;
  return module.default ?? module;
}

export class TokenVault {
  private memoryToken: string | undefined;
  private backend: SecretBackend | undefined;
  private problem: string | undefined;
  /** Keychain operations run one at a time, in the order asked: a slow write cannot land after a later one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly account: string,
    private readonly loadBackend: () => Promise<SecretBackend> = loadKeytar,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  static accountFor(profile: string, serverOrigin: string): string {
    return `${profile}@${serverOrigin}`;
  }

  get state(): KeychainState {
    return this.problem === undefined
      ? { kind: 'os', store: keychainStore(this.platform) }
      : { kind: 'memory-only', store: keychainStore(this.platform), problem: this.problem };
  }

  read(): Promise<string | undefined> {
    return this.inTurn(async () => {
      if (this.problem !== undefined) return this.memoryToken;
      return this.use(async (backend) => (await backend.getPassword(KEYCHAIN_SERVICE, this.account)) ?? undefined, this.memoryToken);
    });
  }

  /** Stores the token; false when the keychain failed and it is held in memory only from now on. */
  write(token: string): Promise<boolean> {
    return this.inTurn(async () => {
      this.memoryToken = token;
      if (this.problem !== undefined) return false;
      await this.use((backend) => backend.setPassword(KEYCHAIN_SERVICE, this.account, token), undefined);
      if (this.problem === undefined) return true;
      // The entry may still hold a token this one replaces, which the server would take as a copy
      // next start: try to clear it (the keychain has just failed, so this may fail too).
      await this.backend?.deletePassword(KEYCHAIN_SERVICE, this.account).catch(() => false);
      return false;
    });
  }

  delete(): Promise<void> {
    return this.inTurn(async () => {
      this.memoryToken = undefined;
      if (this.problem !== undefined) return;
      await this.use((backend) => backend.deletePassword(KEYCHAIN_SERVICE, this.account), false);
    });
  }

  private inTurn<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Runs an operation on the keychain; on failure switches to memory-only and returns `fallback`. */
  private async use<T>(operation: (backend: SecretBackend) => Promise<T>, fallback: T): Promise<T> {
    try {
      this.backend ??= await this.loadBackend();
      return await operation(this.backend);
    } catch (error) {
      this.problem = problemOf(error);
      return fallback;
    }
  }
}

/** What the keychain answered, as it came, cut to what a line can show. */
function problemOf(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return detail.length > 500 ? `${detail.slice(0, 499)}…` : detail;
}
