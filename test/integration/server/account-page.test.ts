// The account page's browser sessions over real HTTP and WebSocket, on SQLite and PostgreSQL: signing in
// sets an HttpOnly SameSite=Strict cookie (with __Host- and Secure over https, neither on loopback http)
// and never puts the token in a body; a request with the cookie that changes something must come from the
// page (Origin and its header); the browser shows in every device's list as a browser, has a shorter idle
// timeout, is signed out from the desktop at once, and signs in through approval like any device.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CurrentSession, PendingSignIn, type SessionView, WebSignInRequestState } from '../../../shared/api.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { DAY, HOUR, ManualClock, MINUTE, SECOND } from '../../support/clock.js';
import { EventSocket, Http, newClaim, PASSWORD, register } from '../../../kit/http.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';
import { waitFor } from '../../support/wait.js';

const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

forEachStore('the account page', (ctx) => {
  const clock = new ManualClock();
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  let origin: string;
  const sockets: EventSocket[] = [];

  before(async () => {
    store = await ctx.newStore();
    // Presence is renewed every 100 ms, so a test sees the heartbeat of a connected page at once.
    // With the access log on, so that 'no cookie value in the log' reads a line per request.
    server = await startTestServer(store, { clock, config: { trustProxy: 1, presenceIntervalMs: 100, requestLog: { access: true, slowMs: 1_000 } } });
    http = new Http(server.url);
    origin = new URL(server.url).origin;
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  /** What the page sends with a request that changes something. */
  const fromPage = (extra: Record<string, string> = {}) => ({ origin, 'x-latch-page': '1', 'user-agent': CHROME_ON_LINUX, ...extra });
  const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;
  const signInOnPage = async (email: string, headers: Record<string, string> = fromPage()) => {
    const reply = await http.request('POST', '/v1/web/session', { json: { email, password: PASSWORD }, headers });
    return { reply, setCookie: reply.headers.get('set-cookie') ?? '' };
  };

  it('the server’s root leads to the account page', async () => {
    const root = await fetch(new URL('/', server.url), { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/account');
  });

  it('signing in sets an HttpOnly, SameSite=Strict cookie (loopback http: no Secure, no prefix); the token is in no body', async () => {
    const laptop = await register(http);
    const { reply, setCookie } = await signInOnPage(laptop.email);
    assert.equal(reply.status, 200, reply.text);
    const signedIn = CurrentSession.parse(reply.body);
    assert.equal(signedIn.session.deviceName, 'Chrome on Linux');
    assert.equal(signedIn.session.browser, true);
    assert.match(setCookie, /^latch_session=lt_[A-Za-z0-9_-]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(!reply.text.includes('lt_'), 'no token in the body');
    const cookie = cookieOf(setCookie);

    // The page reads with the cookie alone; the desktop lists the browser as one.
    const listed = await http.request('GET', '/v1/sessions', { headers: { cookie } });
    assert.equal(listed.status, 200, listed.text);
    const onDesktop = (await http.get('/v1/sessions', laptop.token)).body.sessions as SessionView[];
    const browser = onDesktop.find((s) => s.browser);
    assert.deepEqual([browser?.deviceName, browser?.os, browser?.platform], ['Chrome on Linux', 'Linux', 'linux']);
    assert.ok(!server.logs.join('').includes(cookie.split('=')[1]!), 'no cookie value in the log');

    const nameless = await signInOnPage(laptop.email, { origin, 'x-latch-page': '1', 'user-agent': '' });
    assert.equal(nameless.reply.status, 200, nameless.reply.text);
    assert.equal(CurrentSession.parse(nameless.reply.body).session.deviceName, 'Browser', 'no user agent: still a browser');
  });

  it('a request with the cookie that changes something must come from the page: Origin and header, or 403', async () => {
    const laptop = await register(http);
    const { setCookie } = await signInOnPage(laptop.email);
    const cookie = cookieOf(setCookie);
    const target = `/v1/sessions/${laptop.session.id}`;
    const formPost = await http.request('DELETE', target, { headers: { cookie } });
    assert.deepEqual([formPost.status, formPost.body.error.code], [403, 'cross_site'], 'no Origin, no header');
    const otherSite = await http.request('DELETE', target, { headers: { cookie, origin: 'https://evil.example', 'x-latch-page': '1' } });
    assert.deepEqual([otherSite.status, otherSite.body.error.code], [403, 'cross_site'], 'another site’s fetch');
    const noHeader = await http.request('DELETE', target, { headers: { cookie, origin } });
    assert.deepEqual([noHeader.status, noHeader.body.error.code], [403, 'cross_site'], 'a form post from the same origin');
    const loginFromElsewhere = await signInOnPage(laptop.email, { origin: 'https://evil.example', 'x-latch-page': '1' });
    assert.equal(loginFromElsewhere.reply.status, 403, 'signing in from another site is refused too');
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 200, 'nothing was signed out');
    const fromThePage = await http.request('DELETE', target, { headers: { cookie, ...fromPage() } });
    assert.equal(fromThePage.status, 204, fromThePage.text);
  });

  it('an app’s token counts only as a bearer header and a browser’s only in its cookie; a cookie sent twice counts not at all', async () => {
    const laptop = await register(http);
    const asCookie = await http.request('GET', '/v1/sessions', { headers: { cookie: `latch_session=${laptop.token}` } });
    assert.equal(asCookie.status, 401);
    const { setCookie } = await signInOnPage(laptop.email);
    const cookie = cookieOf(setCookie);
    const asBearer = await http.get('/v1/sessions', cookie.split('=')[1]);
    assert.equal(asBearer.status, 401);
    // Another local port (or a sibling subdomain) plants its own session cookie beside ours: neither is used.
    const other = await register(http);
    const otherCookie = cookieOf((await signInOnPage(other.email)).setCookie);
    const planted = await http.request('GET', '/v1/auth/session', { headers: { cookie: `${otherCookie}; ${cookie}` } });
    assert.equal(planted.status, 401);
    const rotate = await http.request('POST', '/v1/auth/rotate', { headers: { cookie, ...fromPage() }, json: { claim: newClaim() } });
    assert.equal(rotate.status, 409);
  });

  it('over https behind the trusted proxy: __Host- prefix and Secure, and the https Origin', async () => {
    const laptop = await register(http);
    const https = { 'x-forwarded-proto': 'https', origin: `https://${new URL(server.url).host}`, 'x-latch-page': '1', 'user-agent': CHROME_ON_LINUX };
    const { reply, setCookie } = await signInOnPage(laptop.email, https);
    assert.equal(reply.status, 200, reply.text);
    assert.match(setCookie, /^__Host-latch_session=lt_[A-Za-z0-9_-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const httpOrigin = await signInOnPage(laptop.email, { ...https, origin });
    assert.equal(httpOrigin.reply.status, 403, 'the http origin is another origin');
  });

  it('a browser is signed out after a day unused (a desktop app after 14)', async () => {
    const laptop = await register(http);
    const cookie = cookieOf((await signInOnPage(laptop.email)).setCookie);
    clock.advance(23 * HOUR);
    assert.equal((await http.request('GET', '/v1/sessions', { headers: { cookie } })).status, 200, 'used within a day');
    clock.advance(DAY + SECOND);
    const expired = await http.request('GET', '/v1/sessions', { headers: { cookie } });
    assert.deepEqual([expired.status, expired.body.error.code], [401, 'session_expired']);
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 200);
  });

  it('the heartbeat of an open page renews its session for a day, not for the app’s two weeks', async () => {
    const laptop = await register(http);
    const { reply, setCookie } = await signInOnPage(laptop.email);
    const id = CurrentSession.parse(reply.body).session.id;
    const expiresAt = async () => ((await http.get('/v1/sessions', laptop.token)).body.sessions as SessionView[]).find((s) => s.id === id)!.expiresAt;
    const page = await EventSocket.openWith(server.url, { cookie: cookieOf(setCookie), origin });
    sockets.push(page);
    // An hour on, with no request of its own: only the heartbeat of its open connection renews it.
    const before = await expiresAt();
    clock.advance(HOUR);
    // A beat before the clock moved renews it too, by milliseconds: wait for one after.
    await waitFor(async () => Date.parse(await expiresAt()) >= Date.parse(before) + HOUR - MINUTE, 'the heartbeat renews the session');
    const left = Date.parse(await expiresAt()) - clock.now();
    assert.ok(left > DAY - MINUTE && left <= DAY, `a day from the heartbeat, not ${left / HOUR} hours`);
  });

  it('the page’s live connection needs its own Origin; signed out from the desktop, it is told at once', async () => {
    const laptop = await register(http);
    const { reply, setCookie } = await signInOnPage(laptop.email);
    const cookie = cookieOf(setCookie);
    await assert.rejects(EventSocket.openWith(server.url, { cookie, origin: 'https://evil.example' }), { status: 403 });
    await assert.rejects(EventSocket.openWith(server.url, { cookie: `latch_session=${laptop.token}`, origin }), { status: 401 });
    const page = await EventSocket.openWith(server.url, { cookie, origin });
    sockets.push(page);
    const id = CurrentSession.parse(reply.body).session.id;
    assert.equal((await http.delete(`/v1/sessions/${id}`, laptop.token)).status, 204);
    const revoked = await page.next('session.revoked');
    assert.equal(revoked.reason, 'revoked_by_user');
    assert.equal(revoked.by?.deviceName, 'Work laptop');
  });

  it('signing out on the page ends the session and removes the cookie', async () => {
    const laptop = await register(http);
    const cookie = cookieOf((await signInOnPage(laptop.email)).setCookie);
    const out = await http.request('DELETE', '/v1/web/session', { headers: { cookie, ...fromPage() } });
    assert.equal(out.status, 204, out.text);
    assert.match(out.headers.get('set-cookie') ?? '', /^latch_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await http.request('GET', '/v1/sessions', { headers: { cookie } })).status, 401);
  });

  it('with sign-in approval on, the page waits for a device like any new device; approved, the session comes as the cookie', async () => {
    const laptop = await register(http);
    const on = await http.request('PUT', '/v1/account/sign-in-approval', { token: laptop.token, json: { required: true, password: PASSWORD } });
    assert.equal(on.status, 200, on.text);
    clock.advance(SECOND);
    const { reply } = await signInOnPage(laptop.email);
    assert.equal(reply.status, 202, reply.text);
    const pending = PendingSignIn.parse(reply.body);
    const appRoute = await http.post(`/v1/auth/sign-in-requests/${pending.pending.id}/wait`, { secret: pending.pending.secret });
    assert.equal(appRoute.status, 404, 'a browser’s request is collected only on the page’s routes');
    assert.equal((await http.post(`/v1/sign-in-requests/${pending.pending.id}/answer`, { number: pending.pending.number }, laptop.token)).status, 200);
    const waited = await http.request('POST', `/v1/web/sign-in-requests/${pending.pending.id}/wait`, { json: { secret: pending.pending.secret }, headers: fromPage() });
    assert.equal(waited.status, 200, waited.text);
    const state = WebSignInRequestState.parse(waited.body);
    assert.ok(state.state === 'approved' && state.result.session.browser === true);
    assert.ok(!waited.text.includes('lt_'));
    const cookie = cookieOf(waited.headers.get('set-cookie') ?? '');
    assert.equal((await http.request('GET', '/v1/auth/session', { headers: { cookie } })).status, 200);
  });
});
