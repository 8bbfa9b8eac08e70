// What every request and WebSocket upgrade passes before it reaches a route:
// who the client is (proxies believed only as configured), whether the Host
// is this server's own (DNS rebinding on a loopback bind), and the headers
// every answer carries.
import { createServer, ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, type Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { ServerConfig, TrustProxy } from '../config/config.js';
import { ApiError } from '../common/api-error.js';

export type TrustFunction = (address: string, hop: number) => boolean;

/** Which hops may name the client: none, the nearest N, or proxies at these addresses. */
export function trustFunction(trust: TrustProxy): TrustFunction {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

/**
 * One spelling per address, or undefined when it is not one: a port and
 * brackets (`10.0.0.1:5555`, `[2001:db8::7]:443`) and an IPv6 zone are
 * dropped, IPv6 is compressed lower case, and IPv4-mapped IPv6 is IPv4.
 */
export function canonicalAddress(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  value = value.replace(/%.*$/, '');
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return undefined;
  const canonical = new URL(`http://[${value}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * What limits count an address by: an IPv4 address, or the /64 an IPv6
 * address is in (one host is usually given a whole /64, so counting each of
 * its addresses apart would give it an unlimited pool).
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/**
 * The client's address: the last entry a trusted proxy vouched for. Anything
 * that is not an IP address (a proxy passing on `X-Forwarded-For: <script>`)
 * is never used, stored or shown; the connection's own address stands instead.
 */
export function clientAddress(raw: IncomingMessage, trust: TrustFunction): string {
  const chain = proxyAddr.all(raw, trust);
  return canonicalAddress(chain[chain.length - 1]) ?? canonicalAddress(raw.socket.remoteAddress) ?? '';
}

/** Whether the server listens on a loopback address (judged from where it is bound, not how HOST was spelled). */
export function isLoopback(boundAddress: string): boolean {
  const address = canonicalAddress(boundAddress);
  return address !== undefined && (address.startsWith('127.') || address === '::1');
}

/**
 * The Host values this server answers to. Bound to loopback: its own loopback
 * names, so a page on a DNS name that resolves to 127.0.0.1 cannot use it, and
 * the names in LATCH_ALLOWED_HOSTS (a proxy on this machine sends the public
 * name). Bound elsewhere: LATCH_ALLOWED_HOSTS where set, else any.
 */
export function allowedHosts(config: Pick<ServerConfig, 'allowedHosts'>, bound: { address: string; port: number }): Set<string> | undefined {
  const configured = config.allowedHosts ?? [];
  if (isLoopback(bound.address)) {
    const port = bound.port;
    const own = bound.address.includes(':') ? `[${canonicalAddress(bound.address)}]` : bound.address;
    return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${own}:${port}`, ...configured]);
  }
  return config.allowedHosts ? new Set(configured) : undefined;
}

/** The start-up line's account of the Host rule. */
export function describeAllowedHosts(allowed: Set<string> | undefined): string {
  return allowed ? `answers to Host ${[...allowed].join(', ')}` : 'answers to any Host (set LATCH_ALLOWED_HOSTS to name its own)';
}

/** The Host rule of a server once it is listening (port 0 picks a port at listen; no request comes before). */
export interface HostChecker {
  (hostHeader: string | undefined): boolean;
  /** The Host values answered, worked out on first use. */
  allowed(): Set<string> | undefined;
}

export function hostChecker(config: Pick<ServerConfig, 'allowedHosts'>, bound: () => { address: string; port: number }): HostChecker {
  let allowed: Set<string> | undefined | null = null;
  const resolve = () => (allowed === null ? (allowed = allowedHosts(config, bound())) : allowed);
  return Object.assign((hostHeader: string | undefined) => hostAllowed(hostHeader, resolve()), { allowed: resolve });
}

/**
 * Whether a request names its Host more than once. Node keeps the first and drops the rest, while a
 * proxy in front may route by the last: the two would disagree about which site this request is for.
 */
export function hasDuplicateHost(rawHeaders: string[]): boolean {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host' && ++seen > 1) return true;
  }
  return false;
}

const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/;

export function hostAllowed(hostHeader: string | undefined, allowed: Set<string> | undefined): boolean {
  if (!allowed) return true;
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  const parts = HOST_HEADER.exec(host);
  if (!parts) return false;
  // An allowed entry without a port accepts that host on any port.
  return allowed.has(host) || (parts[2] !== undefined && allowed.has(parts[1]!));
}

export const misdirected = () =>
  new ApiError(421, 'misdirected_request', { key: 'misdirected_host' });

export const duplicateHost = () => new ApiError(400, 'bad_request', { key: 'duplicate_host' });
export const absoluteTarget = () => new ApiError(400, 'bad_request', { key: 'absolute_target' });

/** Why the edge refuses a request before any route sees it, or undefined when it may pass. */
export function refusedAtEdge(request: IncomingMessage, hostOk: (hostHeader: string | undefined) => boolean): ApiError | undefined {
  if (hasDuplicateHost(request.rawHeaders)) return duplicateHost();
  // `GET http://other.example/… HTTP/1.1` names a host of its own besides the Host header: the two could disagree.
  if (request.url !== undefined && !request.url.startsWith('/') && request.url !== '*') return absoluteTarget();
  if (!hostOk(request.headers.host)) return misdirected();
  return undefined;
}

/**
 * On every answer: no browser guesses a type, and nothing is cached (the
 * server answers only API calls; token answers least of all may be kept).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });

/**
 * Every answer, whoever writes it (a route, the error filter, Fastify's 404),
 * gets the security headers as it is written. They are added to the headers
 * handed to writeHead rather than set beforehand: one header set with
 * setHeader sends all of Fastify's headers through Node's slower path, which
 * showed on the session check (docs/performance.md, "Edge checks").
 */
class SecureResponse extends ServerResponse {
  override writeHead(statusCode: number, reasonOrHeaders?: string | Headers, headers?: Headers): this {
    if (typeof reasonOrHeaders === 'string') return super.writeHead(statusCode, reasonOrHeaders, withSecurityHeaders(headers));
    return super.writeHead(statusCode, withSecurityHeaders(reasonOrHeaders));
  }
}

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

/**
 * The security headers added to what writeHead was given: an object, or a flat or nested list. A header
 * the route set itself wins (the account page's assets are cached for a year, under hashed names); in a
 * list, a caller's own Cache-Control is kept beside them, and caches obey `no-store` among other directives.
 */
function withSecurityHeaders(headers: Headers | undefined): Headers {
  if (headers === undefined) return { ...SECURITY_HEADERS };
  if (Array.isArray(headers)) {
    const nested = Array.isArray(headers[0]);
    for (const name in SECURITY_HEADERS) {
      if (nested) (headers as unknown as string[][]).push([name, SECURITY_HEADERS[name]!]);
      else headers.push(name, SECURITY_HEADERS[name]!);
    }
    return headers;
  }
  for (const name in SECURITY_HEADERS) headers[name] ??= SECURITY_HEADERS[name]!;
  return headers;
}

/**
 * The HTTP server Fastify runs on: timeouts, the Host check and the security
 * headers happen here, before Fastify's routing; as a Fastify onRequest hook
 * the same work slowed the session check (docs/performance.md, "Edge checks").
 */
export function createEdgeServer(
  policy: { timeouts: ServerConfig['timeouts']; maxConnections: number },
  /** Why a request is refused before any route sees it (refusedAtEdge), or undefined. */
  refuse: (request: IncomingMessage) => ApiError | undefined,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Server {
  const { timeouts } = policy;
  /**
   * When each connection last began a request (or opened), in seconds of the
   * sweep below. Node's own timers close a slow request and an idle
   * keep-alive connection, but bytes between requests (a bare CRLF) keep
   * resetting the keep-alive timer; this bounds how long a connection may go
   * without beginning a request, whatever it sends. Upgraded sockets leave it.
   */
  const lastRequest = new Map<Socket, number>();
  const idleLimit = Math.ceil((2 * timeouts.requestMs + timeouts.keepAliveMs) / 1_000);
  let tick = 0;
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
      lastRequest.set(request.socket, tick);
      const refused = refuse(request);
      if (refused === undefined) return handler(request, response);
      response.writeHead(refused.status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(refused.toBody()));
    },
  );
  // Past this many connections (HTTP and WebSocket together) new ones are refused at once,
  // so the process never runs out of descriptors (config.ts, SocketPolicy).
  server.maxConnections = policy.maxConnections;
  server.on('connection', (socket: Socket) => {
    lastRequest.set(socket, tick);
    socket.once('close', () => lastRequest.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage) => lastRequest.delete(request.socket));
  const sweep = setInterval(() => {
    tick++;
    for (const [socket, began] of lastRequest) if (tick - began > idleLimit) socket.destroy();
  }, 1_000);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  return server;
}
