// What every request and WebSocket upgrade passes before it reaches a route:
// who the client is (proxies believed only as configured), whether the Host
// is this server's own (DNS rebinding on a loopback bind), and the headers
// every answer carries.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
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
