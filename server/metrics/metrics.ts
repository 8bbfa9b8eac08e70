// What an operator graphs (docs/operations.md, "Metrics"): counts and timings of the server in Prometheus'
// text format, from prom-client. The session check, the hottest path, adds to plain numbers that are read
// into the registry when it is scraped; everything else uses prom-client's own series.
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a session check ended: a valid session, or the 401 code it answered. */
export type CheckOutcome = 'valid' | 'unauthenticated' | 'session_revoked' | 'session_expired';

/** How a password sign-in ended. */
export type SignInOutcome = 'signed_in' | 'approval_pending' | 'invalid_credentials' | 'refused';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

@Injectable()
export class Metrics {
  readonly registry = new Registry();
  /** Session checks by outcome: plain additions (the check is the hottest path; docs/performance.md). */
  readonly sessionChecks: Record<CheckOutcome, number> = { valid: 0, unauthenticated: 0, session_revoked: 0, session_expired: 0 };
  readonly revocations: Counter<'reason'>;
  /** From a revocation's commit to its message written to a socket of the revoked session (this instance's). */
  readonly pushLatency: Histogram;
  /** The listening connection's heartbeat round trip (PostgreSQL), and its reconnects. */
  readonly busHeartbeat: Histogram;
  readonly busReconnects: Counter;
  readonly signIns: Counter<'outcome'>;
  /** Requests and upgrades refused as too many (429 and the socket ceiling's 503), by the code they got. */
  readonly limited: Counter<'limiter'>;
  /** How long a password check waited for its turn at argon2. */
  readonly hashingWait: Histogram;

  constructor() {
    const registers = [this.registry];
    // Process CPU, memory, file descriptors, GC and the event loop's lag (latch_nodejs_eventloop_lag_seconds).
    collectDefaultMetrics({ register: this.registry, prefix: 'latch_' });
    const checks = this.sessionChecks;
    new Counter({
      name: 'latch_session_checks_total',
      help: 'Session checks (every request and socket that needs a session), by outcome.',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (const [outcome, count] of Object.entries(checks)) this.inc({ outcome }, count);
      },
    });
    this.revocations = new Counter({ name: 'latch_revocations_total', help: 'Sessions ended, by reason.', labelNames: ['reason'], registers });
    this.pushLatency = new Histogram({
      name: 'latch_push_latency_seconds',
      help: 'From a revocation committed to its session.revoked written to the device’s socket.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.busHeartbeat = new Histogram({
      name: 'latch_bus_heartbeat_seconds',
      help: 'Round trip of the PostgreSQL listening connection’s heartbeat, every 500 ms: how late other instances’ events can be.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.busReconnects = new Counter({ name: 'latch_bus_reconnects_total', help: 'Times the PostgreSQL listening connection was made again after it was lost.', registers });
    this.signIns = new Counter({ name: 'latch_sign_ins_total', help: 'Sign-ins with a password or a passkey, by outcome.', labelNames: ['outcome'], registers });
    this.limited = new Counter({ name: 'latch_limited_total', help: 'Requests and WebSocket upgrades refused as too many, by limiter (the code answered).', labelNames: ['limiter'], registers });
    this.hashingWait = new Histogram({ name: 'latch_hashing_wait_seconds', help: 'Time a password check waited for its turn at argon2.', buckets: LATENCY_BUCKETS, registers });
  }

  /** A gauge read when scraped, from whoever owns the value (the store, the gateway, the hashing queue). */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}


