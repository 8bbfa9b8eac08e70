// The session-event bus. Events are queued inside a store transaction and
// reach subscribers only once it has committed, on every server instance.
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { PG_KEEPALIVE_MS } from '../config/config.js';
import { SessionEvent, type BusListener, type BusSignal } from './session-events.js';

export const NOTIFY_CHANNEL = 'latch_session_events';
const HEARTBEAT_MS = 500;

/**
 * How committed events travel between a server's instances. The bus decides nothing about them; it only
 * carries them: in process (one instance) or through PostgreSQL NOTIFY and LISTEN (several).
 */
export interface BusTransport {
  /** Inside the transaction, just before it commits (PostgreSQL: NOTIFY, which Postgres sends on commit). */
  beforeCommit<DB>(trx: Transaction<DB>, events: readonly SessionEvent[]): Promise<void>;
  /** Whether this instance's own events come back to it through the transport (LISTEN does; in process nothing does). */
  readonly echoesOwnEvents: boolean;
  /** Starts receiving; every event (and `resync` after a gap) goes to `deliver`. */
  start(deliver: (signal: BusSignal) => void): Promise<void>;
  stop(): Promise<void>;
  /** True while every committed event reaches this instance. */
  readonly live: boolean;
}

/**
 * The session-event bus. Two kinds of listener, for two needs:
 * - `subscribe`: every committed event, from every instance, once it reaches this one (the gateway tells
 *   sockets; on PostgreSQL that is after the round trip through LISTEN);
 * - `onLocalCommit`: this instance's own events, at once, before any instance hears of them through the
 *   transport (the session cache forgets at commit, so no request after it is answered from the cache).
 */
export class SessionEventBus {
  private readonly listeners = new Set<BusListener>();
  private readonly localCommitListeners = new Set<(events: readonly SessionEvent[]) => void>();

  constructor(private readonly transport: BusTransport = inProcess()) {}

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onLocalCommit(listener: (events: readonly SessionEvent[]) => void): () => void {
    this.localCommitListeners.add(listener);
    return () => this.localCommitListeners.delete(listener);
  }

  /** Called by the store inside the transaction, just before it commits. */
  beforeCommit<DB>(trx: Transaction<DB>, events: readonly SessionEvent[]): Promise<void> {
    return events.length === 0 ? Promise.resolve() : this.transport.beforeCommit(trx, events);
  }

  /** Called by the store once the transaction has committed. */
  afterCommit(events: readonly SessionEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.localCommitListeners) listener(events);
    if (!this.transport.echoesOwnEvents) for (const event of events) this.deliver(event);
  }

  start(): Promise<void> {
    return this.transport.start((signal) => this.deliver(signal));
  }

  /**
   * Another process committed to this store without this bus (the operator's tool on SQLite, when its
   * events did not come through the operator's socket): every listener looks again, as after a gap.
   */
  resync(): void {
    this.deliver({ kind: 'resync' });
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }

  get live(): boolean {
    return this.transport.live;
  }

  private deliver(signal: BusSignal): void {
    for (const listener of this.listeners) listener(signal);
  }
}

/** One process: nothing crosses a boundary, and events are delivered straight after commit. */
export function inProcess(): BusTransport {
  return { echoesOwnEvents: false, live: true, beforeCommit: async () => undefined, start: async () => undefined, stop: async () => undefined };
}

/**
 * Several instances on one PostgreSQL: NOTIFY inside the revoking transaction
 * (Postgres delivers it only on commit) and one LISTEN connection per instance,
 * which comes back by itself after Postgres restarts. Once it is back, a
 * `resync` signal asks the gateway to recheck every socket it holds, since
 * notifications sent while the listener was down are lost.
 */
export class PostgresListen implements BusTransport {
  readonly echoesOwnEvents = true;
  private deliver: (signal: BusSignal) => void = () => undefined;
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 100;
  private connectedOnce = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastBeatAt = 0;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    /** Each heartbeat's round trip in seconds, and each reconnect: for the metrics. */
    private readonly onHeartbeat: (seconds: number) => void = () => undefined,
    private readonly onReconnect: () => void = () => undefined,
  ) {}

  /** One round trip for all of a transaction's events, in order. */
  async beforeCommit<DB>(trx: Transaction<DB>, events: readonly SessionEvent[]): Promise<void> {
    const payloads = events.map((event) => JSON.stringify(event));
    await sql`select pg_notify(${NOTIFY_CHANNEL}, payload) from unnest(${payloads}::text[]) with ordinality as e(payload, n) order by n`.execute(trx);
  }

  async start(deliver: (signal: BusSignal) => void): Promise<void> {
    this.deliver = deliver;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * True while the LISTEN connection is up and answered a heartbeat lately: a
   * connection cut without a word (a partition) stops counting within seconds.
   */
  get live(): boolean {
    return this.client !== undefined && performance.now() - this.lastBeatAt < HEARTBEAT_MS * 3;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: PG_KEEPALIVE_MS });
    client.on('notification', (message) => this.onNotification(message.payload));
    client.on('error', (error) => this.onLost(client, error));
    client.on('end', () => this.onLost(client));
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.client = client;
    this.lastBeatAt = performance.now();
    clearInterval(this.heartbeat);
    let beating = false;
    this.heartbeat = setInterval(() => {
      // One at a time: on a connection that has gone silent, beats would only queue up.
      if (beating) return;
      beating = true;
      const sent = performance.now();
      client.query('select 1').then(
        () => {
          this.lastBeatAt = performance.now();
          this.onHeartbeat((this.lastBeatAt - sent) / 1000);
          beating = false;
        },
        () => void (beating = false),
      );
    }, HEARTBEAT_MS).unref();
    this.retryDelayMs = 100;
    if (this.connectedOnce) {
      this.log.info('session event listener reconnected');
      this.onReconnect();
      this.deliver({ kind: 'resync' });
    }
    this.connectedOnce = true;
  }

  private onNotification(payload: string | undefined): void {
    let json: unknown;
    try {
      json = JSON.parse(payload ?? '');
    } catch {
      json = undefined;
    }
    const parsed = SessionEvent.safeParse(json);
    if (parsed.success) this.deliver(parsed.data);
    else this.log.warn('ignored a malformed session event notification');
  }

  private onLost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.log.warn({ err: error?.message }, 'session event listener lost its connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.retryTimer = setTimeout(() => {
      this.connect().catch((error: Error) => {
        this.log.warn({ err: error.message }, 'session event listener could not reconnect yet');
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
        if (!this.stopped) this.scheduleReconnect();
      });
    }, this.retryDelayMs);
  }
}
