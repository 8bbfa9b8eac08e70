// Starts real Latch servers for tests: port 0, loopback, captured logs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { replyChecks } from '../../kit/http.js';
import { useLocalMailbox } from '../../kit/mailbox.js';
import { startServer, type RunningServer } from '../../server/app.js';
import type { Clock } from '../../server/common/clock.js';
import { DEFAULT_PASSWORD_POLICY, DEFAULT_RATE_LIMIT, loadConfig, type ServerConfig, type StoreConfig } from '../../server/config/config.js';

import { checkAgainstOpenApi } from './contract.js';

// Every answer a test receives through kit/http.ts is held to docs/openapi.json.
replyChecks.push(checkAgainstOpenApi);

export type StoreKind = StoreConfig['kind'];

export interface TestServer extends RunningServer {
  /** Every log line this server wrote. */
  logs: string[];
}

/** For tests whose subject is not the throttle but that sign in many times at once from one address. */
export const GENEROUS_RATE_LIMIT: ServerConfig['rateLimit'] = {
  ...DEFAULT_RATE_LIMIT,
  freeFailuresPerPair: 10_000,
  maxAttemptsPerAddress: 10_000,
  maxFailuresPerAccount: 10_000,
  maxRegistrationsPerAddress: 10_000,
};

/**
 * Cheap argon2id (1 MiB, one pass: about 1 ms a check against 68 ms): tests sign in thousands of times, and
 * what they check does not depend on the cost. The production parameters are the default, which a test
 * checks (config.test.ts); the tests about the hashing process itself choose their own.
 */
export const TEST_PASSWORD_POLICY: ServerConfig['passwords'] = { ...DEFAULT_PASSWORD_POLICY, memoryCost: 1024, timeCost: 1 };

/**
 * The server's own defaults (as `npm run server` would start with no
 * variables set), on port 0, except that tests, all on one address, may
 * create many accounts (the registration limit has its own test), and hash
 * passwords cheaply.
 */
export function testConfig(store: StoreConfig, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const defaults = loadConfig({ PORT: '0' });
  return {
    ...defaults,
    store,
    rateLimit: { ...defaults.rateLimit, maxRegistrationsPerAddress: 100_000 },
    passwords: TEST_PASSWORD_POLICY,
    mail: { ...defaults.mail, transport: { kind: 'mailbox', dir: mailboxOf(store) } },
    // The key file beside the store's mailbox, so that instances on one store share it, as they must.
    secretKey: { key: undefined, previous: undefined, file: join(mailboxOf(store), '..', `${basename(mailboxOf(store))}.key`) },
    ...overrides,
  };
}

/**
 * One local mailbox per store, in a temporary folder: instances on one PostgreSQL share it, since
 * whichever of them takes a message from the outbox sends it.
 */
const storeMailboxes = new Map<string, string>();
export function mailboxOf(store: StoreConfig): string {
  const key = store.kind === 'sqlite' ? store.file : store.url;
  let dir = storeMailboxes.get(key);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'latch-mailbox-'));
    if (storeMailboxes.size === 0) process.once('exit', () => storeMailboxes.forEach((made) => rmSync(made, { recursive: true, force: true })));
    storeMailboxes.set(key, dir);
  }
  return dir;
}

export async function startTestServer(store: StoreConfig, options: { clock?: Clock; config?: Partial<ServerConfig> } = {}): Promise<TestServer> {
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = testConfig(store, options.config);
  const server = await startServer({ config, logDestination, ...(options.clock ? { clock: options.clock } : {}) });
  if (config.mail.transport.kind === 'mailbox') useLocalMailbox(server.url, config.mail.transport.dir);
  return Object.assign(server, { logs });
}

/** A SQLite file in a fresh temporary folder; removed by `dispose`. */
export function tempSqlite(): { store: StoreConfig; dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'latch-sqlite-'));
  return { store: { kind: 'sqlite', file: join(dir, 'latch.sqlite') }, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
