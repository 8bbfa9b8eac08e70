import { CoreError } from './errors.js';

/** The WHATWG URL parser, global in Node and in every browser; shared/ compiles with the types of neither. */
interface ParsedUrl {
  protocol: string;
  hostname: string;
  host: string;
  origin: string;
}
const { URL: Url } = globalThis as unknown as { URL: new (input: string) => ParsedUrl };

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The server's origin, if the address is one Latch will send a password to:
 * https anywhere, plain http only on this machine (loopback).
 */
export function parseServerUrl(input: string): string {
  let url: ParsedUrl;
  try {
    url = new Url(input.trim());
  } catch {
    throw new CoreError('invalid_input', 'invalid_server_url', { key: 'server_url_not_url' });
  }
  if (url.protocol === 'https:') return url.origin;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return url.origin;
    throw new CoreError('invalid_input', 'insecure_server_url', { key: 'plain_http_elsewhere', host: url.host, hostname: url.hostname });
  }
  throw new CoreError('invalid_input', 'invalid_server_url', { key: 'server_url_scheme' });
}
