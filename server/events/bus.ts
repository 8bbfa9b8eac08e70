// The session-event bus. Events are queued inside a store transaction and
// reach subscribers only once it has committed, on every server instance.
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.js';
import { SessionEvent, type BusListener, type BusSignal } from './session-events.js';

export const NOTIFY_CHANNEL = 'latch_session_events';

export abstract class SessionEventBus {
  private readonly listeners = new Set<BusListener>();

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called inside the transaction, just before it commits. */
  abstract beforeCommit(trx: Transaction<Database>, events: readonly SessionEvent[]): Promise<void>;
  /** Called once the transaction has committed. */
  abstract afterCommit(events: readonly SessionEvent[]): void;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  protected deliver(signal: BusSignal): void {
    for (const listener of this.listeners) listener(signal);
  }
}

/** One process: delivery straight after commit. */
export class InProcessBus extends SessionEventBus {
  async beforeCommit(): Promise<void> {}

  afterCommit(events: readonly SessionEvent[]): void {
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

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {
    super();
  }

  async beforeCommit(trx: Transaction<Database>, events: readonly SessionEvent[]): Promise<void> {
    for (const event of events) {
      await sql`select pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(event)})`.execute(trx);
    }
  }

  afterCommit(): void {}

  override async start(): Promise<void> {
    await this.connect();
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** True while the LISTEN connection is up (for readiness and tests). */
  get listening(): boolean {
    return this.client !== undefined;
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
