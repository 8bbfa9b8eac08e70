// What the account page's cookie sessions rest on (docs/architecture.md, "The account page"): where a
// browser may hold one, the cookie itself, the check that a state-changing request comes from the page
// and not from another site, and the device a browser is shown as.
import { messagesFor } from '../../shared/messages.js';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import Bowser from 'bowser';
import { parseCookie, stringifySetCookie } from 'cookie';
import { DeviceInfo, LOOPBACK_COOKIE, PAGE_HEADER, SECURE_COOKIE, type Platform } from '../../shared/api.js';
import { ApiError } from '../common/api-error.js';
import { isLoopback, type TrustFunction } from './http-edge.js';


/** The scheme and host the browser used, as this server can trust them (a proxy's X-Forwarded-Proto only from a trusted hop). */
export function publicOrigin(raw: IncomingMessage, trust: TrustFunction): { scheme: 'http' | 'https'; origin: string | undefined } {
  const viaTrustedProxy = trust(raw.socket.remoteAddress ?? '', 0);
  // The last entry is the nearest proxy's own; any before it came from further away, the client included.
  const forwarded = viaTrustedProxy ? (String(raw.headers['x-forwarded-proto'] ?? '').split(',').pop() ?? '').trim().toLowerCase() : '';
  const scheme = (raw.socket as TLSSocket).encrypted || forwarded === 'https' ? 'https' : 'http';
  const host = raw.headers.host?.toLowerCase();
  return { scheme, origin: host ? `${scheme}://${host}` : undefined };
}

/** Where a browser session's cookie may be set and read: over https, or over plain http from a browser on the server's own computer; nowhere else. */
export type CookiePlace = 'secure' | 'loopback';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function cookiePlace(raw: IncomingMessage, trust: TrustFunction): CookiePlace | undefined {
  if (publicOrigin(raw, trust).scheme === 'https') return 'secure';
  return directOnLoopback(raw) ? 'loopback' : undefined;
}

/**
 * A browser on this computer talking to the server itself: from and to a loopback address, by a loopback
 * name, through no proxy. A proxy on this computer that serves the world over plain http is none of these.
 */
function directOnLoopback(raw: IncomingMessage): boolean {
  const { headers, socket } = raw;
  if (headers['x-forwarded-for'] !== undefined || headers['x-forwarded-proto'] !== undefined || headers.forwarded !== undefined) return false;
  if (!isLoopback(socket.remoteAddress ?? '') || !isLoopback(socket.localAddress ?? '')) return false;
  const host = headers.host?.toLowerCase().replace(/:\d+$/, '');
  return host !== undefined && LOOPBACK_NAMES.has(host);
}

/**
 * Cookies do not separate ports: a service on another port of a host name the account page is served on
 * receives its cookie and can replace it (docs/operations.md, "A host name of its own"). The start-up
 * warning for the names in LATCH_ALLOWED_HOSTS that carry a port other than 443, which says such a host is
 * shared; undefined when none does.
 */
export function sharedHostWarning(allowedHosts: readonly string[] | undefined): string | undefined {
  const shared = (allowedHosts ?? []).filter((host) => /:\d+$/.test(host) && !host.endsWith(':443'));
  if (shared.length === 0) return undefined;
  return `LATCH_ALLOWED_HOSTS names ${shared.join(', ')}: the account page is then served on a port other than 443 of a host name that other ports may serve too, and cookies do not separate ports, so a service on another port of it receives the page's cookie and can replace it. Give Latch a host name of its own (docs/operations.md, "A host name of its own").`;
}

export const insecure = () =>
  new ApiError(403, 'insecure_connection', { key: 'insecure_connection' });

/**
 * The session token a browser sent in the cookie of this place (over https only the `__Host-` one, which no
 * other site or subdomain can set). Sent more than once, it is none: another local port or a sibling
 * subdomain may have planted one beside ours, to sign the browser in to an account of its choosing.
 */
export function cookieToken(header: string | undefined, place: CookiePlace): string | undefined {
  if (!header) return undefined;
  const name = place === 'secure' ? SECURE_COOKIE : LOOPBACK_COOKIE;
  const sent = header.split(';').filter((pair) => pair.trim().startsWith(`${name}=`)).length;
  return sent === 1 ? parseCookie(header)[name] : undefined;
}

/** The session token in this browser's cookie, where a cookie may be read at all (cookiePlace). */
export function browserToken(raw: IncomingMessage, trust: TrustFunction): string | undefined {
  const place = cookiePlace(raw, trust);
  return place && cookieToken(raw.headers.cookie, place);
}

/** Whether the request names this server's own origin as the page it comes from. */
export function fromOwnOrigin(raw: IncomingMessage, trust: TrustFunction): boolean {
  const { origin } = publicOrigin(raw, trust);
  return origin !== undefined && raw.headers.origin?.toLowerCase() === origin;
}

/** The Set-Cookie value that hands a browser its session: script can never read it, and no other site's request carries it. */
export function sessionCookie(place: CookiePlace, token: string, maxAgeMs: number): string {
  return stringifySetCookie({
    name: place === 'secure' ? SECURE_COOKIE : LOOPBACK_COOKIE,
    value: token,
    httpOnly: true,
    secure: place === 'secure',
    sameSite: 'strict',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** The Set-Cookie value that removes it. */
export function clearedCookie(place: CookiePlace): string {
  return stringifySetCookie({ name: place === 'secure' ? SECURE_COOKIE : LOOPBACK_COOKIE, value: '', httpOnly: true, secure: place === 'secure', sameSite: 'strict', path: '/', maxAge: 0 });
}


const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * For a request that carries the cookie and changes something: refused unless its Origin is this server's
 * own and it has the page's header. SameSite=Strict already keeps the cookie off other sites' requests;
 * this holds even where a browser does not (docs/architecture.md, "The account page").
 */
export function crossSiteRefusal(raw: IncomingMessage, trust: TrustFunction, method = raw.method ?? 'GET'): ApiError | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  return fromOwnOrigin(raw, trust) && raw.headers[PAGE_HEADER] === '1' ? undefined : crossSite();
}

const crossSite = () => new ApiError(403, 'cross_site', { key: 'cross_site_request' });

const PLATFORMS: Record<string, Platform> = { macOS: 'darwin', Windows: 'win32', Linux: 'linux', 'Chrome OS': 'linux' };

/** The languages an Accept-Language header asks for, most wanted first ("de-DE,de;q=0.9,en;q=0.8" → de-DE, de, en). */
export function acceptedLanguages(header: string | undefined): string[] {
  const tags = (header ?? '').split(',').slice(0, 10).map((part, i) => {
    const [tag = '', ...params] = part.trim().split(';');
    const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
    return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
  });
  return tags.filter((t) => /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(t.tag) && t.q > 0).sort((a, b) => b.q - a.q || a.i - b.i).map((t) => t.tag);
}

/**
 * A browser as the devices list shows it, from its user agent, named in the page's language ("Firefox on
 * Windows", "Firefox unter Windows"); just "Browser" when it says nothing usable.
 */
export function browserDevice(userAgent: string | undefined, acceptLanguage?: string): DeviceInfo {
  const unknown: DeviceInfo = { name: 'Browser', platform: 'other', appVersion: 'web' };
  // Bowser refuses an empty user agent; a sign-in without one is still a browser's.
  if (!userAgent?.trim()) return unknown;
  const parsed = Bowser.parse(userAgent);
  const os = parsed.os.name;
  const osText = [os, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(' ');
  const device = DeviceInfo.safeParse({
    name: (os ? messagesFor(acceptedLanguages(acceptLanguage)).devices.browserOn(parsed.browser.name ?? 'Browser', os) : (parsed.browser.name ?? 'Browser')).slice(0, 64),
    platform: (os && PLATFORMS[os]) || 'other',
    appVersion: parsed.browser.version?.slice(0, 32) || 'web',
    ...(osText ? { os: osText.slice(0, 64) } : {}),
  });
  return device.success ? device.data : unknown;
}
