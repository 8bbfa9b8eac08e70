// The rules the account page's cookie rests on, for connections a test server cannot make: plain http to
// a server on a public address, TLS straight to the server, and user agents of every shape.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { trustFunction } from '../../server/http/http-edge.js';
import { acceptedLanguages, browserDevice, cookiePlace, cookieToken, crossSiteRefusal, publicOrigin } from '../../server/http/browser.js';

const request = (over: { local?: string; remote?: string; encrypted?: boolean; headers?: Record<string, string>; method?: string }) =>
  ({
    method: over.method ?? 'POST',
    headers: { host: 'latch.example.org', ...over.headers },
    socket: { localAddress: over.local ?? '203.0.113.10', remoteAddress: over.remote ?? '198.51.100.7', encrypted: over.encrypted ?? false },
  }) as unknown as IncomingMessage;

const noProxy = trustFunction(false);
const oneProxy = trustFunction(1);

describe('account page cookies', () => {
  it('are set over https, or over plain http from a browser on the server’s own computer, and nowhere else', () => {
    const local = { local: '127.0.0.1', remote: '127.0.0.1', headers: { host: '127.0.0.1:4000' } };
    assert.equal(cookiePlace(request({ encrypted: true }), noProxy), 'secure');
    assert.equal(cookiePlace(request(local), noProxy), 'loopback');
    assert.equal(cookiePlace(request({ local: '::1', remote: '::1', headers: { host: 'localhost:4000' } }), noProxy), 'loopback');
    assert.equal(cookiePlace(request({}), noProxy), undefined, 'plain http on a public address');
    assert.equal(cookiePlace(request({ ...local, headers: { host: 'latch.example.org' } }), noProxy), undefined, 'a proxy on this computer serving a public name');
    assert.equal(cookiePlace(request({ ...local, headers: { ...local.headers, 'x-forwarded-for': '198.51.100.7' } }), oneProxy), undefined, 'anything forwarded');
    assert.equal(cookiePlace(request({ local: '127.0.0.1', headers: { host: '127.0.0.1:4000' } }), noProxy), undefined, 'from another computer');
    assert.equal(cookiePlace(request({ headers: { 'x-forwarded-proto': 'https' } }), noProxy), undefined, 'a proxy header from a hop nobody trusts');
    assert.equal(cookiePlace(request({ headers: { 'x-forwarded-proto': 'https' } }), oneProxy), 'secure');
    assert.equal(publicOrigin(request({ headers: { 'x-forwarded-proto': 'http, https' } }), oneProxy).origin, 'https://latch.example.org', 'the nearest proxy’s entry');
    assert.equal(publicOrigin(request({ headers: { 'x-forwarded-proto': 'https, http' } }), oneProxy).origin, 'http://latch.example.org', 'not one the client wrote');
  });

  it('are read by this place’s name only, and not at all when sent twice (one planted beside ours)', () => {
    assert.equal(cookieToken('a=b; latch_session=lt_loop; __Host-latch_session=lt_secure', 'secure'), 'lt_secure');
    assert.equal(cookieToken('latch_session=lt_loop', 'secure'), undefined, 'over https, a cookie any subdomain could set is not read');
    assert.equal(cookieToken('latch_session=lt_loop', 'loopback'), 'lt_loop');
    assert.equal(cookieToken('latch_session=lt_planted; latch_session=lt_loop', 'loopback'), undefined);
    assert.equal(cookieToken('__Host-latch_session=lt_a; __Host-latch_session=lt_b', 'secure'), undefined);
    assert.equal(cookieToken('other=1', 'loopback'), undefined);
    assert.equal(cookieToken(undefined, 'loopback'), undefined);
  });

  it('take a request that changes something only with this origin and the page header', () => {
    const page = { origin: 'https://latch.example.org', 'x-latch-page': '1' };
    assert.equal(crossSiteRefusal(request({ encrypted: true, headers: page }), noProxy), undefined);
    assert.equal(crossSiteRefusal(request({ encrypted: true, method: 'GET' }), noProxy), undefined, 'reading needs neither');
    assert.equal(crossSiteRefusal(request({ encrypted: true, headers: { ...page, origin: 'http://latch.example.org' } }), noProxy)?.code, 'cross_site');
    assert.equal(crossSiteRefusal(request({ encrypted: true, headers: { ...page, origin: 'null' } }), noProxy)?.code, 'cross_site');
    assert.equal(crossSiteRefusal(request({ encrypted: true, headers: { origin: page.origin } }), noProxy)?.code, 'cross_site');
    assert.equal(crossSiteRefusal(request({ encrypted: true, headers: { ...page, host: 'evil.example' } }), noProxy)?.code, 'cross_site');
  });
});

describe('a browser as a device', () => {
  it('is named from its user agent, and is just "Browser" when that says nothing usable', () => {
    assert.deepEqual(browserDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'), {
      name: 'Firefox on Windows',
      platform: 'win32',
      appVersion: '133.0',
      os: 'Windows 10',
    });
    const safari = browserDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15');
    assert.deepEqual([safari.name, safari.platform], ['Safari on macOS', 'darwin']);
    assert.deepEqual(browserDevice(undefined), { name: 'Browser', platform: 'other', appVersion: 'web' });
    assert.deepEqual(browserDevice(' '), { name: 'Browser', platform: 'other', appVersion: 'web' });
    assert.deepEqual(browserDevice('\u202Eevil\u0000'), { name: 'Browser', platform: 'other', appVersion: 'web' });
    assert.ok(browserDevice('x'.repeat(5000)).name.length <= 64);
  });

  it('is named in the page’s language, from Accept-Language, English when it asks for none Latch speaks', () => {
    const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
    assert.equal(browserDevice(firefox, 'de-DE,de;q=0.9,en;q=0.8').name, 'Firefox unter Windows');
    assert.equal(browserDevice(firefox, 'fr-FR,fr;q=0.9,de;q=0.5').name, 'Firefox unter Windows', 'the first language Latch speaks');
    assert.equal(browserDevice(firefox, 'en;q=0.2,de;q=0.9').name, 'Firefox unter Windows', 'by weight, not by order');
    assert.equal(browserDevice(firefox, 'fr, constructor, *').name, 'Firefox on Windows');
    assert.deepEqual(acceptedLanguages('de-CH, de;q=0.8, en;q=0.5, x;q=0, not a tag'), ['de-CH', 'de', 'en']);
  });
});
