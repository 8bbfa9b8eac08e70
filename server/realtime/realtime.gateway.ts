// The /v1/events WebSocket endpoint. Authenticates the upgrade with the bearer
// header (a plain HTTP 401 otherwise), keeps each socket under its session and
// user, and turns session events from the bus into messages.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { CLOSE_SESSION_REVOKED, CLOSE_TOKEN_REPLACED, EVENTS_PATH, type RealtimeMessage } from '../../shared/api.js';
import { ApiError, sayIfFits, toApiError } from '../common/api-error.js';
import { bearerToken } from '../http/request-context.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import { addressKey, clientAddress, SECURITY_HEADERS, trustFunction, type TrustFunction } from '../http/http-edge.js';
import type { ServerConfig } from '../config/config.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import { SessionEventBus } from '../events/bus.js';
import type { BusSignal, SessionEvent } from '../events/session-events.js';
import { SessionAuthenticator } from '../sessions/authenticator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { hashToken } from '../sessions/tokens.js';
import { browserToken, fromOwnOrigin } from '../http/browser.js';
import { Metrics } from '../metrics/metrics.js';
import { ConnectionRegistry, PING_SLICES } from './connection-registry.js';
import { Presence } from './presence.js';

type Revoked = Extract<SessionEvent, { kind: 'session.revoked' }>;

@Injectable()
export class RealtimeGateway implements BeforeApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly connections: ConnectionRegistry;
  private readonly trust: TrustFunction;
  private pingTick = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private closing = false;

  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SessionAuthenticator) private readonly authenticator: SessionAuthenticator,
    @Inject(SessionEventBus) private readonly bus: SessionEventBus,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(Presence) private readonly presence: Presence,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {
    this.connections = new ConnectionRegistry(config.sockets);
    this.trust = trustFunction(config.trustProxy);
    metrics.gauge('latch_sockets_live', 'Live WebSockets this instance holds.', () => this.connections.size);
  }

  /** Number of sockets held (for tests and benchmarks). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** `refuse` is the same edge rule (Host) the HTTP routes follow. */
  attach(server: Server, refuse: (request: IncomingMessage) => ApiError | undefined): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const refused = refuse(request);
      if (refused) return rejectUpgrade(socket, refused);
      void this.onUpgrade(request, socket, head);
    });
    this.unsubscribe = this.bus.subscribe((signal) => this.onSignal(signal));
    this.pingTimer = setInterval(() => this.pingSlice(), this.config.pingIntervalMs / PING_SLICES);
    this.pingTimer.unref();
    this.presence.start(() => this.connections.sessionIds(), (sessionId) => this.connections.ofSession(sessionId) !== undefined);
  }

  /**
   * Refuses new upgrades and ends every socket. Runs before the HTTP server
   * closes, which would otherwise wait for sockets that clients keep reopening.
   */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pingTimer);
    this.unsubscribe?.();
    for (const conn of this.connections.all()) {
      conn.socket.close(1001, 'server shutting down');
      setTimeout(() => conn.socket.terminate(), 500).unref();
    }
    this.wss.close();
  }

  /** Before the HTTP server closes (Nest's order), so it does not wait for sockets. */
  beforeApplicationShutdown(): void {
    this.close();
  }

  /** Refuses an upgrade with its JSON error, logged as an HTTP request is (at info, with the client's address as decided). */
  private refuseUpgrade(request: IncomingMessage, socket: Duplex, error: ApiError): void {
    this.log.info({ path: (request.url ?? '').split('?')[0], remoteAddress: clientAddress(request, this.trust), status: error.status, code: error.code }, 'websocket upgrade refused');
    if (error.code === 'too_many_connections' || error.status === 429) this.metrics.limited.inc({ limiter: error.code });
    rejectUpgrade(socket, error);
  }

  private async onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.closing) return this.refuseUpgrade(request, socket, new ApiError(503, 'unavailable', { key: 'shutting_down' }));
    const path = (request.url ?? '').split('?')[0];
    if (path !== EVENTS_PATH) {
      return this.refuseUpgrade(request, socket, new ApiError(404, 'not_found', sayIfFits({ key: 'no_socket_route', path: path ?? '' }, { key: 'not_found' })));
    }
    // A desktop app sends its token as a bearer header; the account page's browser, in its cookie, and then
    // only from the page's own origin: any site can open a WebSocket that carries this browser's cookie.
    const viaCookie = request.headers.authorization === undefined;
    const token = viaCookie ? browserToken(request, this.trust) : bearerToken(request.headers.authorization);
    if (viaCookie && token !== undefined && !fromOwnOrigin(request, this.trust)) {
      return this.refuseUpgrade(request, socket, new ApiError(403, 'cross_site', { key: 'cross_site_connection' }));
    }
    // Counted like the sign-in limits: an IPv6 host by its /64.
    const ip = clientAddress(request, this.trust);
    const address = addressKey(ip);
    const refused = this.connections.admitAddress(address);
    if (refused) return this.refuseUpgrade(request, socket, refused);
    let auth;
    try {
      // Only a browser's own session lives in a cookie.
      auth = await this.authenticator.authenticate(token, () => ip, viaCookie ? 'browser' : 'app');
    } catch (error) {
      const apiError = toApiError(error) ?? new ApiError(500, 'internal', { key: 'server_fault' });
      return this.refuseUpgrade(request, socket, apiError);
    } finally {
      this.connections.settle(address);
    }
    // Checked again: shutdown may have begun while the session was being checked.
    if (this.closing) return this.refuseUpgrade(request, socket, new ApiError(503, 'unavailable', { key: 'shutting_down' }));
    const over = this.connections.admitSession(auth.session.id, auth.user.id);
    if (over) return this.refuseUpgrade(request, socket, over);
    // ws completes the upgrade synchronously (no verifyClient), so the caps above still hold here.
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const first = this.connections.ofSession(auth.session.id) === undefined;
      const conn = this.connections.add({ socket: ws, sessionId: auth.session.id, userId: auth.user.id, address, tokenHash: hashToken(token!) });
      this.log.info({ sessionId: conn.sessionId, remoteAddress: ip }, 'websocket opened');
      if (first) this.presence.changed(conn.userId, conn.sessionId);
      ws.on('pong', () => (conn.alive = true));
      ws.on('close', () => {
        // A socket ended by a revocation is already gone from the registry; its session is over anyway.
        const last = this.connections.remove(conn) && this.connections.ofSession(conn.sessionId) === undefined;
        if (last && !this.closing) this.presence.changed(conn.userId, conn.sessionId);
      });
      ws.on('error', () => ws.terminate());
      // Clients send nothing; anything they do send is ignored.
      // A revocation committed between the check above and now would have missed
      // this socket, so look once more now that it is registered.
      void this.recheck([conn.sessionId]);
      // Opened with a token already replaced (inside its grace): it goes when the grace does.
      if (auth.viaPreviousToken) this.closeAfterGrace(conn, auth.session.rotated_at + this.config.sessions.rotationGraceMs - this.clock.now());
      // A device coming online catches up with the sign-in requests still waiting for an answer.
      void this.sendPendingRequests(conn, auth.session.created_at);
    });
  }

  private async sendPendingRequests(conn: { socket: WebSocket; userId: string }, sessionCreatedAt: number): Promise<void> {
    try {
      // Only requests this session could answer: made after it signed in.
      for (const request of await this.approval.pending(conn.userId)) {
        if (Date.parse(request.createdAt) > sessionCreatedAt && conn.socket.readyState === WebSocket.OPEN) conn.socket.send(JSON.stringify({ type: 'signin.requested', request }));
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not send waiting sign-in requests to a new connection');
    }
  }

  private onSignal(signal: BusSignal): void {
    switch (signal.kind) {
      case 'session.revoked':
        return this.endSession(signal);
      case 'sessions.changed':
        return this.sendToUser(signal.userId, { type: 'sessions.changed' });
      case 'session.created':
        return this.sendToUser(signal.userId, { type: 'session.created', session: signal.session, ...(signal.approvedBy ? { approvedBy: signal.approvedBy } : {}) }, signal.session.id);
      case 'session.presence':
        return this.sendToUser(signal.userId, { type: 'session.presence', sessionId: signal.sessionId, online: signal.online }, signal.sessionId);
      case 'session.token_reused': {
        const { kind: _kind, userId, at, ...alert } = signal;
        return this.sendToUser(userId, { type: 'session.token_reused', ...alert, at: new Date(at).toISOString() }, signal.sessionId);
      }
      case 'session.rotated':
        return this.closeReplaced(signal);
      case 'signin.requested':
        if (!signal.shown) return;
        return this.sendToUser(signal.userId, { type: 'signin.requested', request: signal.request });
      case 'signin.resolved':
        if (!signal.shown) return;
        return this.sendToUser(signal.userId, {
          type: 'signin.resolved',
          id: signal.id,
          outcome: signal.outcome,
          ...(signal.byDeviceName ? { byDeviceName: signal.byDeviceName } : {}),
        });
      case 'account.changed':
        return this.sendToUser(signal.userId, { type: 'account.changed', change: { ...signal.change, at: new Date(signal.change.at).toISOString() } });
      case 'resync':
        void this.recheck(this.connections.sessionIds());
        return;
    }
  }

  private endSession(event: Revoked): void {
    const conns = this.connections.ofSession(event.sessionId);
    if (!conns) return;
    const message: RealtimeMessage = {
      type: 'session.revoked',
      sessionId: event.sessionId,
      reason: event.reason,
      at: new Date(event.at).toISOString(),
      ...(event.by ? { by: event.by } : {}),
      ...(event.usedFrom ? { usedFrom: event.usedFrom } : {}),
      ...(event.alsoFrom ? { alsoFrom: event.alsoFrom } : {}),
    };
    const data = JSON.stringify(message);
    for (const conn of [...conns]) {
      this.connections.remove(conn);
      conn.socket.send(data, () => conn.socket.close(CLOSE_SESSION_REVOKED, 'session revoked'));
    }
    this.metrics.pushLatency.observe(Math.max(0, this.clock.now() - event.at) / 1000);
  }

  /**
   * A session's token was replaced. A device that holds the new token has opened a socket with it
   * (docs/architecture.md, "Token rotation"), so sockets still on the replaced token are someone
   * else's copy, or a device that will reconnect: they close when the grace ends, and sockets on
   * an even older token at once. Without this a copied token would keep hearing the account's
   * events long after it stopped working over HTTP.
   */
  private closeReplaced(signal: Extract<BusSignal, { kind: 'session.rotated' }>): void {
    for (const conn of this.connections.ofSession(signal.sessionId) ?? []) {
      if (conn.tokenHash === signal.retiredHash) conn.socket.close(CLOSE_TOKEN_REPLACED, 'token replaced');
      else if (conn.tokenHash === signal.replacedHash) this.closeAfterGrace(conn, this.config.sessions.rotationGraceMs);
    }
  }

  private closeAfterGrace(conn: { socket: { close(code: number, reason: string): void } }, delayMs: number): void {
    setTimeout(() => conn.socket.close(CLOSE_TOKEN_REPLACED, 'token replaced'), Math.max(0, delayMs)).unref();
  }

  private sendToUser(userId: string, message: RealtimeMessage, exceptSessionId?: string): void {
    const conns = this.connections.ofUser(userId);
    if (!conns) return;
    const data = JSON.stringify(message);
    for (const conn of conns) if (conn.sessionId !== exceptSessionId) conn.socket.send(data);
  }

  /** Drops the sockets of any of these sessions that the store says have ended. */
  private async recheck(sessionIds: string[]): Promise<void> {
    try {
      const ended = await this.sessions.findEnded(sessionIds);
      for (const s of ended) {
        this.endSession({
          kind: 'session.revoked',
          userId: s.userId,
          sessionId: s.id,
          reason: s.reason,
          at: s.at,
          ...(s.by ? { by: s.by } : {}),
          ...(s.usedFrom ? { usedFrom: s.usedFrom } : {}),
          ...(s.alsoFrom ? { alsoFrom: s.alsoFrom } : {}),
        });
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not recheck sessions of open sockets');
    }
  }

  /** Pings one slice; a socket that has not answered its previous ping is dropped. */
  private pingSlice(): void {
    for (const conn of this.connections.pingSlices[this.pingTick++ % PING_SLICES]!) {
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }
}

/** A refused upgrade: a plain HTTP answer with the usual JSON error body. */
function rejectUpgrade(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toBody());
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...SECURITY_HEADERS,
    ...error.headers,
  };
  const head = [`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
