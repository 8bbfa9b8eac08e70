// Starts real Latch servers for tests: port 0, loopback, captured logs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../server/app.js';
import type { Clock } from '../../server/common/clock.js';
import {
  DEFAULT_PASSWORD_POLICY,
  DEFAULT_RATE_LIMIT,
  DEFAULT_SESSION_POLICY,
  type ServerConfig,
  type StoreConfig,
} from '../../server/config/config.js';

export type StoreKind = StoreConfig['kind'];

export interface TestServer extends RunningServer {
  /** Every log line this server wrote. */
  logs: string[];
}

export function testConfig(store: StoreConfig, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    store,
    sessions: { ...DEFAULT_SESSION_POLICY },
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    passwords: { ...DEFAULT_PASSWORD_POLICY },
    logLevel: 'info',
    trustProxy: false,
    pingIntervalMs: 25_000,
    maintenanceIntervalMs: 60 * 60_000,
    ...overrides,
  };
}

export async function startTestServer(store: StoreConfig, options: { clock?: Clock; config?: Partial<ServerConfig> } = {}): Promise<TestServer> {
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await startServer({ config: testConfig(store, options.config), logDestination, ...(options.clock ? { clock: options.clock } : {}) });
  return Object.assign(server, { logs });
}

/** A SQLite file in a fresh temporary folder; removed by `dispose`. */
export function tempSqlite(): { store: StoreConfig; dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'latch-sqlite-'));
  return { store: { kind: 'sqlite', file: join(dir, 'latch.sqlite') }, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
