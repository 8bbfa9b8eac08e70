// What every request and WebSocket upgrade passes before it reaches a route:
// who the client is (proxies believed only as configured), whether the Host
// is this server's own (DNS rebinding on a loopback bind), and the headers
// every answer carries.
import { createServer, ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, type Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { ServerConfig, TrustProxy } from '../config/config.js';
import { ApiError } from './api-error.js';

export type TrustFunction = (address: string, hop: number) => boolean;

/** Which hops may name the client: none, the nearest N, or proxies at these addresses. */
export function trustFunction(trust: TrustProxy): TrustFunction {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

/**
 * The client's address: the last entry a trusted proxy vouched for. Anything
 * that is not an IP address (a proxy passing on `X-Forwarded-For: <script>`)
 * is never used, stored or shown; the connection's own address stands instead.
 */
export function clientAddress(raw: IncomingMessage, trust: TrustFunction): string {
  const chain = proxyAddr.all(raw, trust);
  const claimed = chain[chain.length - 1];
  return claimed !== undefined && isIP(claimed) !== 0 ? claimed : (raw.socket.remoteAddress ?? '');
}

const LOOPBACK_BINDS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/**
 * The Host values this server answers to. Bound to loopback: only its own
 * loopback names, so a page on a DNS name that resolves to 127.0.0.1 cannot
 * use it. Bound elsewhere: LATCH_ALLOWED_HOSTS where set, else any.
 */
export function allowedHosts(config: Pick<ServerConfig, 'host' | 'allowedHosts'>, port: number): Set<string> | undefined {
  if (LOOPBACK_BINDS.test(config.host)) {
    const own = config.host === '::1' ? '[::1]' : config.host;
    return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${own}:${port}`]);
  }
  return config.allowedHosts ? new Set(config.allowedHosts) : undefined;
}

/** The Host rule of a server once it knows its port (port 0 picks one at listen; no request comes before). */
export function hostChecker(config: Pick<ServerConfig, 'host' | 'allowedHosts'>, port: () => number): (hostHeader: string | undefined) => boolean {
  let allowed: Set<string> | undefined | null = null;
  return (hostHeader) => {
    if (allowed === null) allowed = allowedHosts(config, port());
    return hostAllowed(hostHeader, allowed);
  };
}

export function hostAllowed(hostHeader: string | undefined, allowed: Set<string> | undefined): boolean {
  if (!allowed) return true;
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  if (allowed.has(host)) return true;
  // An allowed entry without a port accepts that host on any port.
  const withoutPort = host.replace(/:\d+$/, '');
  return withoutPort !== host && allowed.has(withoutPort);
}

export const misdirected = () =>
  new ApiError(421, 'misdirected_request', 'This server does not answer to that host name. Use the address it was started with.');

const EVERY_ANSWER = Object.freeze({ 'x-content-type-options': 'nosniff' });
const API_ANSWER = Object.freeze({ ...EVERY_ANSWER, 'cache-control': 'no-store' });

/** Headers on every answer; `/v1/` answers (tokens, devices, addresses) are never cached. */
export function securityHeaders(url: string): Readonly<Record<string, string>> {
  return url.startsWith('/v1/') ? API_ANSWER : EVERY_ANSWER;
}

/**
 * Every answer, whoever writes it (a route, the error filter, Fastify's 404),
 * gets the security headers as it is written. They are added to the headers
 * handed to writeHead rather than set beforehand: one header set with
 * setHeader sends all of Fastify's headers through Node's slower path, which
 * showed on the session check (docs/performance.md, "Edge checks").
 */
class SecureResponse extends ServerResponse {
  override writeHead(statusCode: number, reasonOrHeaders?: string | Headers, headers?: Headers): this {
    const extra = securityHeaders(this.req.url ?? '');
    if (typeof reasonOrHeaders === 'string') return super.writeHead(statusCode, reasonOrHeaders, withHeaders(headers, extra));
    return super.writeHead(statusCode, withHeaders(reasonOrHeaders, extra));
  }
}

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

/** `extra` added to the headers writeHead was given (an object or a flat [name, value, …] list), in place. */
function withHeaders(headers: Headers | undefined, extra: Readonly<Record<string, string>>): Headers {
  if (headers === undefined) return { ...extra };
  if (Array.isArray(headers)) {
    for (const name in extra) headers.push(name, extra[name]!);
    return headers;
  }
  return Object.assign(headers, extra);
}

/**
 * The HTTP server Fastify runs on: timeouts, the Host check and the security
 * headers happen here, before Fastify's routing; as a Fastify onRequest hook
 * the same work slowed the session check (docs/performance.md, "Edge checks").
 */
export function createEdgeServer(
  timeouts: ServerConfig['timeouts'],
  hostOk: (hostHeader: string | undefined) => boolean,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Server {
  /** Connections that have not sent a request yet. */
  const silent = new WeakSet<Socket>();
  const server = createServer(
    {
      // Enforced by a sweep over open connections, every second here. No per-socket idle timer: refreshing
      // it on every read and write showed on the session check (docs/performance.md, "Edge checks").
      connectionsCheckingInterval: 1_000,
      requestTimeout: timeouts.requestMs,
      headersTimeout: timeouts.headersMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      ServerResponse: SecureResponse,
    },
    (request, response) => {
      if (silent.delete(request.socket)) request.socket.setTimeout(0);
      if (hostOk(request.headers.host)) return handler(request, response);
      response.writeHead(421, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(misdirected().toBody()));
    },
  );
  // Node's sweep starts a request's clock at its first byte: a connection that never sends a request is
  // closed here instead, at the header timeout (one timer per connection, stopped by its first request).
  server.on('connection', (socket: Socket) => {
    socket.setTimeout(timeouts.headersMs, () => socket.destroy());
    silent.add(socket);
  });
  return server;
}
