// The /v1/events WebSocket endpoint. Authenticates the upgrade with the bearer
// header (a plain HTTP 401 otherwise), keeps each socket under its session and
// user, and turns session events from the bus into messages.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { CLOSE_SESSION_REVOKED, EVENTS_PATH, type RealtimeMessage } from '../../shared/api.js';
import { bearerToken } from '../auth/auth.guard.js';
import { ApiError } from '../common/api-error.js';
import { CONFIG, LOGGER } from '../common/di-tokens.js';
import { toApiError } from '../common/exception.filter.js';
import type { ServerConfig } from '../config/config.js';
import type { BusSignal, SessionEvent } from '../events/session-events.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { Store } from '../storage/store.js';

interface Connection {
  socket: WebSocket;
  sessionId: string;
  userId: string;
  alive: boolean;
  /** Which ping slice it is in. */
  slice: number;
}

/**
 * Each socket is pinged once per interval, but not all at once: the sockets
 * are dealt into slices and one slice is pinged per tick. With 10,000 sockets
 * one sweep held the event loop for 40 to 260 ms (revocations waited behind
 * it); a slice of 100 holds it for a few milliseconds.
 */
const PING_SLICES = 100;

type Revoked = Extract<SessionEvent, { kind: 'session.revoked' }>;

@Injectable()
export class RealtimeGateway implements OnApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly bySession = new Map<string, Set<Connection>>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly pingSlices = Array.from({ length: PING_SLICES }, () => new Set<Connection>());
  private nextSlice = 0;
  private pingTick = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private closing = false;

  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(Store) private readonly store: Store,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Number of sockets held (for tests and benchmarks). */
  get connectionCount(): number {
    let count = 0;
    for (const set of this.bySession.values()) count += set.size;
    return count;
  }

  attach(server: import('node:http').Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.onUpgrade(request, socket, head);
    });
    this.unsubscribe = this.store.bus.subscribe((signal) => this.onSignal(signal));
    this.pingTimer = setInterval(() => this.pingSlice(), this.config.pingIntervalMs / PING_SLICES);
    this.pingTimer.unref();
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
    for (const set of this.bySession.values()) {
      for (const conn of set) {
        conn.socket.close(1001, 'server shutting down');
        setTimeout(() => conn.socket.terminate(), 500).unref();
      }
    }
    this.wss.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }

  private async onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (this.closing) return rejectUpgrade(socket, new ApiError(503, 'unavailable', 'The server is shutting down.'));
    const path = (request.url ?? '').split('?')[0];
    if (path !== EVENTS_PATH) {
      return rejectUpgrade(socket, new ApiError(404, 'not_found', `There is no WebSocket endpoint at ${path}.`));
    }
    let auth;
    try {
      auth = await this.sessions.authenticate(bearerToken(request.headers.authorization));
    } catch (error) {
      const apiError = toApiError(error) ?? new ApiError(500, 'internal', 'Something went wrong on the server.');
      return rejectUpgrade(socket, apiError);
    }
    // Checked again: shutdown may have begun while the session was being checked.
    if (this.closing) return rejectUpgrade(socket, new ApiError(503, 'unavailable', 'The server is shutting down.'));
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const conn: Connection = { socket: ws, sessionId: auth.session.id, userId: auth.user.id, alive: true, slice: this.nextSlice++ % PING_SLICES };
      this.add(conn);
      ws.on('pong', () => (conn.alive = true));
      ws.on('close', () => this.remove(conn));
      ws.on('error', () => ws.terminate());
      // Clients send nothing; anything they do send is ignored.
      // A revocation committed between the check above and now would have missed
      // this socket, so look once more now that it is registered.
      void this.recheck([conn.sessionId]);
    });
  }

  private add(conn: Connection): void {
    addTo(this.bySession, conn.sessionId, conn);
    addTo(this.byUser, conn.userId, conn);
    this.pingSlices[conn.slice]!.add(conn);
  }

  private remove(conn: Connection): void {
    removeFrom(this.bySession, conn.sessionId, conn);
    removeFrom(this.byUser, conn.userId, conn);
    this.pingSlices[conn.slice]!.delete(conn);
  }

  private onSignal(signal: BusSignal): void {
    switch (signal.kind) {
      case 'session.revoked':
        return this.endSession(signal);
      case 'sessions.changed':
        return this.sendToUser(signal.userId, { type: 'sessions.changed' });
      case 'session.created':
        return this.sendToUser(signal.userId, { type: 'session.created', session: signal.session }, signal.session.id);
      case 'resync':
        void this.recheck([...this.bySession.keys()]);
        return;
    }
  }

  private endSession(event: Revoked): void {
    const conns = this.bySession.get(event.sessionId);
    if (!conns) return;
    const message: RealtimeMessage = {
      type: 'session.revoked',
      sessionId: event.sessionId,
      reason: event.reason,
      at: new Date(event.at).toISOString(),
      ...(event.by ? { by: event.by } : {}),
    };
    const data = JSON.stringify(message);
    for (const conn of [...conns]) {
      this.remove(conn);
      conn.socket.send(data, () => conn.socket.close(CLOSE_SESSION_REVOKED, 'session revoked'));
    }
  }

  private sendToUser(userId: string, message: RealtimeMessage, exceptSessionId?: string): void {
    const conns = this.byUser.get(userId);
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
          ...(s.byDeviceName ? { by: { deviceName: s.byDeviceName } } : {}),
        });
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not recheck sessions of open sockets');
    }
  }

  /** Pings one slice; a socket that has not answered its previous ping is dropped. */
  private pingSlice(): void {
    for (const conn of this.pingSlices[this.pingTick++ % PING_SLICES]!) {
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(conn);
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) map.delete(key);
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function rejectUpgrade(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toBody());
  const headers = [
    `HTTP/1.1 ${error.status} ${STATUS_TEXT[error.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(error.headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
