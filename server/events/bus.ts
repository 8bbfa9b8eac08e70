// The session-event bus. Events are queued inside a store transaction and
// reach subscribers only once it has committed, on every server instance.
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.js';
import { SessionEvent, type BusListener, type BusSignal } from './session-events.js';

export const NOTIFY_CHANNEL = 'latch_session_events';
const HEARTBEAT_MS = 500;

export abstract class SessionEventBus {
  private readonly listeners = new Set<BusListener>();
  private readonly localCommitListeners = new Set<(events: readonly SessionEvent[]) => void>();

  /** Every committed event, from every instance, once it reaches this one. */
  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events this instance has just committed, at once, before any instance
   * (this one included, on Postgres) hears of them through the bus.
   */
  onLocalCommit(listener: (events: readonly SessionEvent[]) => void): () => void {
    this.localCommitListeners.add(listener);
    return () => this.localCommitListeners.delete(listener);
  }

  /** Called inside the transaction, just before it commits. */
  abstract beforeCommit(trx: Transaction<Database>, events: readonly SessionEvent[]): Promise<void>;

  /** Called once the transaction has committed. */
  afterCommit(events: readonly SessionEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.localCommitListeners) listener(events);
    this.deliverCommitted(events);
  }

  /** Hands this instance's committed events on, where the bus itself does not. */
  protected abstract deliverCommitted(events: readonly SessionEvent[]): void;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  /** True while every committed event reaches this instance. */
  get live(): boolean {
    return true;
  }

  protected deliver(signal: BusSignal): void {
    for (const listener of this.listeners) listener(signal);
  }
}

/** One process: delivery straight after commit. */
export class InProcessBus extends SessionEventBus {
  async beforeCommit(): Promise<void> {}

  protected deliverCommitted(events: readonly SessionEvent[]): void {
    for (const event of events) this.deliver(event);
  }
}

/**
 * Several instances on one PostgreSQL: NOTIFY inside the revoking transaction
 * (Postgres delivers it only on commit) and one LISTEN connection per instance,
 * which comes back by itself after Postgres restarts. Once it is back, a
 * `resync` signal asks the gateway to recheck every socket it holds, since
 * notifications sent while the listener was down are lost.
 */
export class PostgresBus extends SessionEventBus {
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
  ) {
    super();
  }

  /** One round trip for all of a transaction's events, in order. */
  async beforeCommit(trx: Transaction<Database>, events: readonly SessionEvent[]): Promise<void> {
    if (events.length === 0) return;
    const payloads = events.map((event) => JSON.stringify(event));
    await sql`select pg_notify(${NOTIFY_CHANNEL}, payload) from unnest(${payloads}::text[]) with ordinality as e(payload, n) order by n`.execute(trx);
  }

  /** Postgres delivers them, to this instance too, through LISTEN. */
  protected deliverCommitted(): void {}

  override async start(): Promise<void> {
    await this.connect();
  }

  override async stop(): Promise<void> {
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
  override get live(): boolean {
    return this.client !== undefined && performance.now() - this.lastBeatAt < HEARTBEAT_MS * 3;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
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
      client.query('select 1').then(
        () => void ((this.lastBeatAt = performance.now()), (beating = false)),
        () => void (beating = false),
      );
    }, HEARTBEAT_MS).unref();
    this.retryDelayMs = 100;
    if (this.connectedOnce) {
      this.log.info('session event listener reconnected');
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
