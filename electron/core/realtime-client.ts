// The live channel to /v1/events. Reconnects with jittered backoff, notices a
// dead connection by missed pings, and reports; it decides nothing itself:
// the SessionController asks the server before trusting a reconnect.
import { WebSocket } from 'ws';
import { CLOSE_SESSION_REVOKED, EVENTS_PATH, RealtimeMessage } from '../../shared/api.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../../shared/session/backoff.js';
import type { RealtimeHandlers } from '../../shared/session/ports.js';

export interface RealtimeOptions {
  serverUrl: string;
  token: () => string | undefined;
  handlers: RealtimeHandlers;
  backoff?: BackoffPolicy;
  /** No ping or message for this long means the connection is dead (server pings every 25 s). */
  deadAfterMs?: number;
  random?: () => number;
}

export class RealtimeClient {
  private socket: WebSocket | undefined;
  /** The socket a renewal replaces, until the new one is open (or has failed). */
  private retiring: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private deadTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private running = false;

  constructor(private readonly options: RealtimeOptions) {}

  get isOpen(): boolean {
    // While a renewal is under way, the socket it replaces still carries the events.
    return this.socket?.readyState === WebSocket.OPEN || this.retiring?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    clearTimeout(this.deadTimer);
    for (const socket of [this.socket, this.retiring]) {
      if (!socket) continue;
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
    this.socket = undefined;
    this.retiring = undefined;
  }

  /**
   * Opens a socket with the current token and, once it is open, closes the old one: after a token
   * rotation the server ends sockets still on the replaced token (docs/architecture.md, "Token
   * rotation"). Make before break, so the device never looks offline to the others.
   */
  renew(): void {
    const old = this.socket;
    if (!this.running || !old || old.readyState !== WebSocket.OPEN) return;
    this.retiring = old;
    this.connect();
    const fresh = this.socket;
    const retire = () => {
      if (this.retiring === old) this.retiring = undefined;
      old.removeAllListeners();
      old.on('error', () => undefined);
      old.close(1000, 'renewed');
    };
    if (fresh) {
      fresh.once('open', retire);
      fresh.once('close', retire);
    } else retire();
  }

  /** Skip the wait and try now (for example when the OS says the network is back). */
  reconnectNow(): void {
    if (!this.running || this.socket) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private connect(): void {
    const token = this.options.token();
    if (!token) return this.stop();
    const url = new URL(EVENTS_PATH, this.options.serverUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: 10_000, maxPayload: 64 * 1024 });
    this.socket = socket;
    let rejectedWithStatus: number | undefined;

    socket.on('open', () => {
      this.attempt = 0;
      this.armDeadTimer();
      this.options.handlers.onOpen();
    });
    socket.on('ping', () => this.armDeadTimer());
    socket.on('message', (data) => {
      this.armDeadTimer();
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        return;
      }
      const parsed = RealtimeMessage.safeParse(json);
      if (parsed.success) this.options.handlers.onMessage(parsed.data);
    });
    socket.on('unexpected-response', (_request, response) => {
      rejectedWithStatus = response.statusCode;
      response.resume();
      socket.terminate();
    });
    socket.on('error', () => undefined);
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearTimeout(this.deadTimer);
      if (!this.running) return;
      // 4001 follows session.revoked, which the controller already acts on.
      if (code === CLOSE_SESSION_REVOKED) return this.stop();
      this.options.handlers.onDown(rejectedWithStatus !== undefined ? { rejectedWithStatus } : {});
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (!this.running) return;
    const delay = backoffDelay(this.attempt++, this.options.random, this.options.backoff ?? DEFAULT_BACKOFF);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private armDeadTimer(): void {
    clearTimeout(this.deadTimer);
    this.deadTimer = setTimeout(() => this.socket?.terminate(), this.options.deadAfterMs ?? 35_000);
  }
}
