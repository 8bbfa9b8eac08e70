// A small HTTP and WebSocket client for server tests, over real sockets.
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { RealtimeMessage, type AuthResult, type DeviceInfo } from '../shared/api.js';
import { readAnswer, requestOf, type CallInput, type Outcome } from '../shared/client.js';
import { Routes, type RouteSpec } from '../shared/routes.js';
import { mailedCode } from './mailbox.js';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/**
 * Run on every reply of every Http: the tests hold each answer to docs/openapi.json (test/support/contract.ts).
 * A check that throws fails the request.
 */
export const replyChecks: Array<(method: string, path: string, reply: Reply) => void> = [];

export class Http {
  /** `onReply` sees every reply (for tests that search all answers of a run). */
  constructor(
    readonly baseUrl: string,
    private readonly onReply?: (reply: Reply) => void,
  ) {}

  async request<T = any>(method: string, path: string, options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const reply = { status: response.status, body: parsed as T, headers: response.headers, text };
    for (const check of replyChecks) check(method, path, reply);
    this.onReply?.(reply);
    return reply;
  }

  /** A route of the table (shared/routes.ts), its answer also read as the route's row says (shared/client.ts). */
  async call<R extends RouteSpec>(spec: R, input: CallInput<R>, options: { token?: string; headers?: Record<string, string> } = {}): Promise<Reply & { outcome: Outcome<R> }> {
    const request = requestOf(spec, input);
    const reply = await this.request(request.method, request.target, {
      ...(request.json !== undefined ? { json: request.json } : {}),
      ...(options.token ? { token: options.token } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    return { ...reply, outcome: readAnswer(spec, reply.status, reply.body) };
  }

  get = <T = any>(path: string, token?: string) => this.request<T>('GET', path, token ? { token } : {});
  post = <T = any>(path: string, json?: unknown, token?: string) =>
    this.request<T>('POST', path, { ...(json !== undefined ? { json } : {}), ...(token ? { token } : {}) });
  patch = <T = any>(path: string, json: unknown, token?: string) => this.request<T>('PATCH', path, { json, ...(token ? { token } : {}) });
  delete = <T = any>(path: string, token?: string) => this.request<T>('DELETE', path, token ? { token } : {});
}

export const PASSWORD = 'correct horse battery staple';
/** A rotation claim as a device makes one: 32 random bytes, base64url (docs/architecture.md, "Token rotation"). */
export const newClaim = (): string => randomBytes(32).toString('base64url');
export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.test`;
export const device = (name: string, platform: DeviceInfo['platform'] = 'linux'): DeviceInfo => ({ name, platform, appVersion: '0.1.0' });

/**
 * Signs up as a person does: the request, then the code from the mail (read from the server's local mailbox,
 * kit/mailbox.ts), which makes the account. `headers`: for both requests (an address through a trusted proxy).
 */
export async function register(
  http: Http,
  email = uniqueEmail(),
  deviceName: string | DeviceInfo = 'Work laptop',
  headers: Record<string, string> = {},
): Promise<AuthResult & { email: string }> {
  const info = typeof deviceName === 'string' ? device(deviceName) : deviceName;
  const asked = (await http.call(Routes.register, { body: { email, password: PASSWORD, device: info } }, { headers })).outcome;
  if (asked.kind !== 'ok') throw new Error(`register failed: ${asked.status} ${JSON.stringify(asked)}`);
  const code = await mailedCode(http.baseUrl, email, SIGN_UP_SUBJECT);
  const made = (await http.call(Routes.verifySignUp, { body: { id: asked.value.codeSent.id, code } }, { headers })).outcome;
  if (made.kind !== 'ok') throw new Error(`register failed: ${made.status} ${JSON.stringify(made)}`);
  return { ...made.value, email };
}

/** The subject of the mail with a sign-up's code. */
export const SIGN_UP_SUBJECT = /is your Latch code$/;

export async function login(http: Http, email: string, deviceName: string, password = PASSWORD): Promise<AuthResult> {
  const signedIn = (await http.call(Routes.login, { body: { email, password, device: device(deviceName) } })).outcome;
  if (signedIn.kind !== 'ok' || !('token' in signedIn.value)) throw new Error(`login failed: ${signedIn.status} ${JSON.stringify(signedIn)}`);
  return signedIn.value;
}

/** A device's live event socket, recording every message and how it closed. */
export class EventSocket {
  readonly messages: Array<{ message: RealtimeMessage; receivedAt: number }> = [];
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push({ message: RealtimeMessage.parse(JSON.parse(data.toString())), receivedAt: performance.now() });
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static open(baseUrl: string, token: string): Promise<EventSocket> {
    return EventSocket.openWith(baseUrl, { authorization: `Bearer ${token}` });
  }

  /** With these request headers (a browser's cookie and Origin, say). */
  static openWith(baseUrl: string, headers: Record<string, string>): Promise<EventSocket> {
    const url = new URL('/v1/events', baseUrl.replace(/^http/, 'ws'));
    const socket = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new EventSocket(socket)));
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `probe` returns something, re-checking on every message and on close. */
  private async waitFor<R>(probe: () => R | undefined, timeoutMs: number, what: () => string): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`${what()} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now() + 1);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first message of this type, already received or still to come. */
  next<T extends RealtimeMessage['type']>(type: T, timeoutMs = 5_000): Promise<Extract<RealtimeMessage, { type: T }> & { receivedAt: number }> {
    return this.waitFor(
      () => {
        const found = this.messages.find((m) => m.message.type === type);
        return found ? { ...(found.message as Extract<RealtimeMessage, { type: T }>), receivedAt: found.receivedAt } : undefined;
      },
      timeoutMs,
      () => `no ${type} message (got ${this.messages.map((m) => m.message.type).join(', ') || 'nothing'})`,
    );
  }

  /** The first message of this type that `matches`, already received or still to come. */
  nextWhere<T extends RealtimeMessage['type']>(
    type: T,
    matches: (message: Extract<RealtimeMessage, { type: T }>) => boolean,
    timeoutMs = 5_000,
  ): Promise<Extract<RealtimeMessage, { type: T }>> {
    return this.waitFor(
      () => this.messages.map((m) => m.message).find((m): m is Extract<RealtimeMessage, { type: T }> => m.type === type && matches(m as Extract<RealtimeMessage, { type: T }>)),
      timeoutMs,
      () => `no matching ${type} message (got ${this.messages.map((m) => m.message.type).join(', ') || 'nothing'})`,
    );
  }

  /** The close code, once the server has closed the socket. */
  closed(timeoutMs = 5_000): Promise<number> {
    return this.waitFor(() => this.closeCode, timeoutMs, () => 'socket did not close');
  }

  count(type: RealtimeMessage['type']): number {
    return this.messages.filter((m) => m.message.type === type).length;
  }

  close(): void {
    this.socket.close();
  }
}
