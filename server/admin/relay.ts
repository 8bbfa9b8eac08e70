// The operator's socket, on SQLite: the operator's tool commits to the same database file from a process of
// its own, whose bus reaches nobody. It hands what it committed to a running server here, which delivers it
// as its own commits are delivered: devices are told at once and cached sessions dropped (docs/operations.md,
// "The operator's tool"). A Unix socket in the data folder, readable and writable by the server's user only.
// Should the socket miss a change (no server listened on it, say), the server still notices: SQLite counts
// commits made by other connections (`PRAGMA data_version`), and a change there makes every cached session
// and open socket be looked at again within a second. On PostgreSQL the tool's NOTIFY reaches every
// instance, and neither is needed.
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CONFIG, LOGGER } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { SessionEventBus } from '../events/bus.js';
import { SessionEvent } from '../events/session-events.js';
import { Store } from '../storage/store.js';

/** How often the store is asked whether another process committed to it. */
const WATCH_MS = 1_000;
/** How long the tool waits for the server's answer. */
const RELAY_TIMEOUT_MS = 5_000;

/** One line: the events of one committed transaction. */
const Relayed = z.strictObject({ events: z.array(SessionEvent).max(10_000) });

/** Where a server on this SQLite store listens for the operator's tool; undefined on PostgreSQL. */
export function operatorSocketPath(config: Pick<ServerConfig, 'store'>): string | undefined {
  return config.store.kind === 'sqlite' ? join(dirname(config.store.file), 'operator.sock') : undefined;
}

/** Whether something answers at `path` (a server running on this data folder). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

@Injectable()
export class OperatorRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;
  private path: string | undefined;
  private watch: NodeJS.Timeout | undefined;
  private dataVersion: number | undefined;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(SessionEventBus) private readonly bus: SessionEventBus,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = operatorSocketPath(this.config);
    if (!path) return;
    this.dataVersion = await this.readDataVersion();
    this.watch = setInterval(() => void this.lookForOtherCommits(), WATCH_MS);
    this.watch.unref();
    if (existsSync(path)) {
      if (await answers(path)) {
        this.log.warn(`Another server answers at ${path}: two servers on one SQLite file are not supported, and the operator's tool tells only that one.`);
        return;
      }
      // Left by a server that did not stop cleanly.
      try {
        rmSync(path, { force: true });
      } catch (error) {
        this.log.warn({ err: error }, `Cannot remove ${path}: the operator's tool's changes reach this server within a second instead of at once.`);
        return;
      }
    }
    const server = createServer((socket) => {
      let buffered = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        if (buffered.length > 16 * 1024 * 1024) return socket.destroy();
        for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          const parsed = Relayed.safeParse(safeJson(line));
          if (!parsed.success) {
            socket.end('refused\n');
            return;
          }
          // Committed to this store by the tool: delivered as this server's own commits are.
          this.bus.afterCommit(parsed.data.events);
          socket.write('ok\n');
        }
      });
      socket.on('error', () => undefined);
    });
    // Made with no access but the owner's from the start (the mode is set again after, in case umask was ignored).
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
    } finally {
      process.umask(umask);
    }
    chmodSync(path, 0o600);
    this.server = server;
    this.path = path;
  }

  private async readDataVersion(): Promise<number | undefined> {
    try {
      const { rows } = await sql<{ data_version: number }>`pragma data_version`.execute(this.store.db);
      return rows[0]?.data_version;
    } catch {
      return undefined;
    }
  }

  /** Another connection committed (the tool, its socket message missed or not yet here): everything looks again. */
  private async lookForOtherCommits(): Promise<void> {
    const version = await this.readDataVersion();
    if (version === undefined || version === this.dataVersion) return;
    this.dataVersion = version;
    this.bus.resync();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.watch);
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.path) rmSync(this.path, { force: true });
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * The tool's side: hands a committed transaction's events to the server running on this store. 'told', or
 * 'no server' when none listens (nothing then holds a cached session or a device's connection).
 */
export function relay(path: string, events: readonly SessionEvent[]): Promise<'told' | 'no server'> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.setTimeout(RELAY_TIMEOUT_MS, () => {
      socket.destroy();
      reject(new Error(`the server at ${path} did not answer within ${RELAY_TIMEOUT_MS / 1000} s; it sees the change within a second by itself`));
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ events })}\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (!answer.includes('\n')) return;
      socket.end();
      if (answer.startsWith('ok')) resolve('told');
      else reject(new Error(`the server at ${path} refused what the tool sent`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') resolve('no server');
      else reject(new Error(`cannot reach the server at ${path}: ${error.message}`));
    });
  });
}
