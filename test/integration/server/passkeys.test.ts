// Passkeys over HTTP on both stores, with a software authenticator (kit/webauthn.ts): made after
// recent authentication and heard by every device; a sign-in with no email typed; each ceremony once, in
// its five minutes, for the session or kind that asked; a wrong origin or RP ID refused; a counter that
// goes back marks the passkey as copied, and it signs nothing in after; renamed and removed.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { AuthResult, PasskeyList, PasskeyOptions, PasskeyView, SecurityEventList } from '../../../shared/api.js';
import { EventSocket, Http, PASSWORD, device, login, register, uniqueEmail } from '../../../kit/http.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { ManualClock } from '../../support/clock.js';
import { GENEROUS_RATE_LIMIT, startTestServer, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';
import { SoftPasskey, type PasskeyOptionsJson } from '../../../kit/webauthn.js';

const ORIGIN = 'http://localhost:4000';

forEachStore('passkeys', (ctx) => {
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const clock = new ManualClock({ frozen: true });
  const sockets: EventSocket[] = [];
  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store, { clock, config: { rateLimit: GENEROUS_RATE_LIMIT, passkeys: { rpId: 'localhost', origins: [ORIGIN] } } });
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  const options = (reply: { status: number; text: string; body: unknown }) => {
    assert.equal(reply.status, 200, reply.text);
    const parsed = PasskeyOptions.parse(reply.body);
    return { id: parsed.id, options: parsed.options as unknown as PasskeyOptionsJson };
  };

  /** An account whose laptop made a passkey (after entering the password again). */
  async function withPasskey(label: string) {
    const laptop = await register(http, uniqueEmail(label), 'Work laptop');
    assert.equal((await http.post('/v1/auth/reauth', { password: PASSWORD }, laptop.token)).status, 200);
    const passkey = new SoftPasskey(ORIGIN);
    const asked = options(await http.post('/v1/account/passkeys/options', undefined, laptop.token));
    const added = await http.post('/v1/account/passkeys', { id: asked.id, name: "Laptop's fingerprint reader", response: passkey.create(asked.options) }, laptop.token);
    assert.equal(added.status, 200, added.text);
    return { laptop, passkey, view: PasskeyView.parse(added.body) };
  }

  const signInWith = async (passkey: SoftPasskey, overrides: Parameters<SoftPasskey['get']>[1] = {}) => {
    const asked = options(await http.post('/v1/auth/passkey/options'));
    return http.post('/v1/auth/passkey', { id: asked.id, response: passkey.get(asked.options, overrides), device: device('New phone') });
  };

  it('made after the password was entered again, listed, and heard by the other devices; the password alone a while ago is not enough', async () => {
    const laptop = await register(http, uniqueEmail('add'), 'Work laptop');
    clock.advance(11 * 60_000);
    const stale = await http.post('/v1/account/passkeys/options', undefined, laptop.token);
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error.code, 'reauth_required');

    const phone = await login(http, laptop.email, 'Phone');
    const onPhone = await EventSocket.open(server.url, phone.token);
    sockets.push(onPhone);
    assert.equal((await http.post('/v1/auth/reauth', { password: PASSWORD }, laptop.token)).status, 200);
    const passkey = new SoftPasskey(ORIGIN);
    const asked = options(await http.post('/v1/account/passkeys/options', undefined, laptop.token));
    assert.equal((asked.options as { authenticatorSelection?: { residentKey?: string } }).authenticatorSelection?.residentKey, 'required');
    const added = await http.post('/v1/account/passkeys', { id: asked.id, name: 'Laptop', response: passkey.create(asked.options) }, laptop.token);
    assert.equal(added.status, 200, added.text);
    const list = PasskeyList.parse((await http.get('/v1/account/passkeys', laptop.token)).body).passkeys;
    assert.deepEqual(list.map((p) => [p.id, p.name, p.synced]), [[passkey.id, 'Laptop', false]]);
    assert.equal((await onPhone.nextWhere('account.changed', (m) => m.change.what === 'passkey_added')).change.byDeviceName, 'Work laptop');
    const events = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events;
    assert.deepEqual([events[0]?.type, events[0]?.targetDeviceName], ['passkey_added', 'Laptop']);
    // The options are for this session, once.
    const again = await http.post('/v1/account/passkeys', { id: asked.id, name: 'Again', response: passkey.create(asked.options) }, laptop.token);
    assert.equal(again.status, 410);
  });

  it('signs in with no email typed: the passkey names the account; the session says so', async () => {
    const { laptop, passkey } = await withPasskey('signin');
    const signedIn = await signInWith(passkey);
    assert.equal(signedIn.status, 200, signedIn.text);
    const result = AuthResult.parse(signedIn.body);
    assert.equal(result.user.email, laptop.email);
    assert.equal(result.session.signedInWith, 'passkey');
    assert.ok(PasskeyList.parse((await http.get('/v1/account/passkeys', laptop.token)).body).passkeys[0]?.lastUsedAt);
  });

  it('each ceremony once and within five minutes; a wrong origin or RP ID, or another ceremony’s challenge, is refused', async () => {
    const { passkey } = await withPasskey('ceremony');
    const asked = options(await http.post('/v1/auth/passkey/options'));
    const answer = passkey.get(asked.options);
    assert.equal((await http.post('/v1/auth/passkey', { id: asked.id, response: answer, device: device('Phone') })).status, 200);
    assert.equal((await http.post('/v1/auth/passkey', { id: asked.id, response: answer, device: device('Phone') })).status, 410, 'used');
    const late = options(await http.post('/v1/auth/passkey/options'));
    clock.advance(5 * 60_000 + 1);
    assert.equal((await http.post('/v1/auth/passkey', { id: late.id, response: passkey.get(late.options), device: device('Phone') })).status, 410, 'past five minutes');
    assert.equal((await signInWith(passkey, { origin: 'http://localhost.evil.example:4000' })).status, 401, 'another origin');
    assert.equal((await signInWith(passkey, { rpId: 'evil.example' })).status, 401, 'another RP ID');
    const one = options(await http.post('/v1/auth/passkey/options'));
    const other = options(await http.post('/v1/auth/passkey/options'));
    assert.equal((await http.post('/v1/auth/passkey', { id: one.id, response: passkey.get(other.options), device: device('Phone') })).status, 401, 'another ceremony’s challenge');
  });

  it('a counter that goes back marks the passkey as copied: refused then and after, and every device hears it', async () => {
    const { laptop, passkey } = await withPasskey('cloned');
    const onLaptop = await EventSocket.open(server.url, laptop.token);
    sockets.push(onLaptop);
    assert.equal((await signInWith(passkey)).status, 200);
    assert.equal((await signInWith(passkey)).status, 200);
    // A low counter on a signature that does not verify (anyone who learned the credential's id) marks nothing.
    const forged = options(await http.post('/v1/auth/passkey/options'));
    const answer = passkey.get(forged.options, { counter: 1 });
    const bad = { ...answer, response: { ...answer.response, signature: Buffer.from('not a signature').toString('base64url') } };
    assert.equal((await http.post('/v1/auth/passkey', { id: forged.id, response: bad, device: device('Phone') })).status, 401);
    assert.equal((await signInWith(passkey, { counter: 3 })).status, 200, 'the passkey still signs in');
    const copy = await signInWith(passkey, { counter: 1 });
    assert.equal(copy.status, 401);
    assert.equal((await onLaptop.nextWhere('account.changed', (m) => m.change.what === 'passkey_cloned')).change.byDeviceName, "Laptop's fingerprint reader");
    assert.equal((await signInWith(passkey, { counter: 10 })).status, 401, 'the original is refused too, once a copy is known');
    assert.ok(PasskeyList.parse((await http.get('/v1/account/passkeys', laptop.token)).body).passkeys[0]?.clonedAt);
  });

  it('two sign-ins of one authenticator at once, the higher counter first: the other is refused, and nothing is marked copied', async () => {
    const { passkey } = await withPasskey('race');
    const first = options(await http.post('/v1/auth/passkey/options'));
    clock.advance(1_000);
    const second = options(await http.post('/v1/auth/passkey/options'));
    const five = passkey.get(first.options, { counter: 5 });
    const six = passkey.get(second.options, { counter: 6 });
    assert.equal((await http.post('/v1/auth/passkey', { id: second.id, response: six, device: device('Phone') })).status, 200);
    assert.equal((await http.post('/v1/auth/passkey', { id: first.id, response: five, device: device('Tablet') })).status, 401);
    assert.equal((await signInWith(passkey)).status, 200, 'not marked copied');
  });

  it('the passkey answers for the account it was made for, and names the credential it sent; with sign-in approval on, a device still says yes', async () => {
    const { laptop, passkey } = await withPasskey('handle');
    const asked = options(await http.post('/v1/auth/passkey/options'));
    const answer = passkey.get(asked.options);
    const otherHandle = { ...answer, response: { ...answer.response, userHandle: Buffer.from('someone-else').toString('base64url') } };
    assert.equal((await http.post('/v1/auth/passkey', { id: asked.id, response: otherHandle, device: device('Phone') })).status, 401);

    const other = new SoftPasskey(ORIGIN);
    const made = options(await http.post('/v1/account/passkeys/options', undefined, laptop.token));
    const mismatched = { ...other.create(made.options), id: passkey.id, rawId: passkey.id };
    assert.equal((await http.post('/v1/account/passkeys', { id: made.id, name: 'Mismatch', response: mismatched }, laptop.token)).status, 400);

    assert.equal((await http.request('PUT', '/v1/account/sign-in-approval', { json: { required: true, password: PASSWORD }, token: laptop.token })).status, 200);
    const waiting = await signInWith(passkey);
    assert.equal(waiting.status, 202, waiting.text);
    assert.ok(waiting.body.pending);
  });

  it('renamed; removed after the password was entered again, and it no longer signs in', async () => {
    const { laptop, passkey, view } = await withPasskey('remove');
    const renamed = await http.patch(`/v1/account/passkeys/${view.id}`, { name: 'Old laptop' }, laptop.token);
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(PasskeyView.parse(renamed.body).name, 'Old laptop');
    const stranger = await register(http, uniqueEmail('stranger'), 'Elsewhere');
    assert.equal((await http.delete(`/v1/account/passkeys/${view.id}`, stranger.token)).status, 404, 'not another account’s');
    clock.advance(11 * 60_000);
    assert.equal((await http.delete(`/v1/account/passkeys/${view.id}`, laptop.token)).status, 403, 'the password again first');
    assert.equal((await http.post('/v1/auth/reauth', { password: PASSWORD }, laptop.token)).status, 200);
    assert.equal((await http.delete(`/v1/account/passkeys/${view.id}`, laptop.token)).status, 204);
    assert.equal((await signInWith(passkey)).status, 401);
  });

  it('recent authentication with a passkey instead of the password: only the account’s own, for the options this session asked for', async () => {
    const { laptop, passkey, view } = await withPasskey('reauth');
    clock.advance(11 * 60_000);
    assert.equal((await http.delete(`/v1/account/passkeys/${view.id}`, laptop.token)).status, 403, 'recent authentication first');
    const asked = options(await http.post('/v1/auth/reauth/passkey/options', undefined, laptop.token));
    assert.deepEqual(
      (asked.options as { allowCredentials?: { id: string }[] }).allowCredentials?.map((c) => c.id),
      [passkey.id],
      'the account’s own passkeys are offered',
    );
    // Another session of the account cannot answer this session's options.
    const phone = await login(http, laptop.email, 'Phone');
    assert.equal((await http.post('/v1/auth/reauth/passkey', { id: asked.id, response: passkey.get(asked.options) }, phone.token)).status, 410);
    // Another account's passkey does not authenticate this account.
    const { passkey: strangers } = await withPasskey('reauth-stranger');
    const again = options(await http.post('/v1/auth/reauth/passkey/options', undefined, laptop.token));
    assert.equal((await http.post('/v1/auth/reauth/passkey', { id: again.id, response: strangers.get(again.options) }, laptop.token)).status, 401);
    const mine = options(await http.post('/v1/auth/reauth/passkey/options', undefined, laptop.token));
    const done = await http.post('/v1/auth/reauth/passkey', { id: mine.id, response: passkey.get(mine.options) }, laptop.token);
    assert.equal(done.status, 200, done.text);
    assert.equal(new Date(done.body.until).getTime(), clock.now() + 10 * 60_000);
    assert.equal((await http.delete(`/v1/account/passkeys/${view.id}`, laptop.token)).status, 204, 'now it may remove one');
  });

  it('the account page signs in with a passkey: the session as the cookie, a browser’s; not from another site', async () => {
    const { laptop, passkey } = await withPasskey('page');
    const page = { origin: new URL(server.url).origin, 'x-latch-page': '1', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' };
    assert.equal((await http.request('POST', '/v1/web/session/passkey/options', { headers: { ...page, origin: 'https://evil.example' } })).status, 403, 'not from another site');
    const asked = options(await http.request('POST', '/v1/web/session/passkey/options', { headers: page }));
    // The app's options do not sign a browser in, nor the browser's an app.
    const appAsked = options(await http.post('/v1/auth/passkey/options'));
    assert.equal((await http.request('POST', '/v1/web/session/passkey', { headers: page, json: { id: appAsked.id, response: passkey.get(appAsked.options) } })).status, 410);
    const signedIn = await http.request('POST', '/v1/web/session/passkey', { headers: page, json: { id: asked.id, response: passkey.get(asked.options) } });
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.match(String(signedIn.headers.get('set-cookie')), /^latch_session=lt_[^;]+; .*HttpOnly/);
    assert.ok(!signedIn.text.includes('lt_'), 'the token is never in the body');
    assert.equal(signedIn.body.session.browser, true);
    assert.equal(signedIn.body.session.signedInWith, 'passkey');
    assert.equal(signedIn.body.user.email, laptop.email);
  });

  it('a fresh sign-in alone adds no passkey: the password or a passkey entered again on the session does (a copied sign-in cannot make itself a way back in)', async () => {
    const laptop = await register(http, uniqueEmail('fresh'), 'Work laptop');
    const fresh = await http.post('/v1/account/passkeys/options', undefined, laptop.token);
    assert.equal(fresh.status, 403, 'signed in a moment ago, nothing entered again');
    assert.equal(fresh.body.error.code, 'reauth_required');
    // Its sign-in still opens what it opened before: signing another device out.
    const phone = await login(http, laptop.email, 'Phone');
    assert.equal((await http.delete(`/v1/sessions/${phone.session.id}`, laptop.token)).status, 204);
    assert.equal((await http.post('/v1/auth/reauth/passkey/options', undefined, laptop.token)).status, 404, 'no passkey to offer');
    assert.equal((await http.post('/v1/auth/reauth', { password: PASSWORD }, laptop.token)).status, 200);
    assert.equal((await http.post('/v1/account/passkeys/options', undefined, laptop.token)).status, 200);
  });

  it('passkey sign-ins from one address spend no budget once they verify: 25 in a row, and the password still signs in', async () => {
    const strict = await startTestServer(await ctx.newStore(), { clock, config: { passkeys: { rpId: 'localhost', origins: [ORIGIN] }, metrics: { host: '127.0.0.1', port: 0 } } });
    try {
      const here = new Http(strict.url);
      const laptop = await register(here, uniqueEmail('budget'), 'Work laptop');
      assert.equal((await here.post('/v1/auth/reauth', { password: PASSWORD }, laptop.token)).status, 200);
      const passkey = new SoftPasskey(ORIGIN);
      const made = options(await here.post('/v1/account/passkeys/options', undefined, laptop.token));
      assert.equal((await here.post('/v1/account/passkeys', { id: made.id, name: 'Laptop', response: passkey.create(made.options) }, laptop.token)).status, 200);
      for (let i = 0; i < 25; i++) {
        const asked = options(await here.post('/v1/auth/passkey/options'));
        const signedIn = await here.post('/v1/auth/passkey', { id: asked.id, response: passkey.get(asked.options), device: device(`Phone ${i}`) });
        assert.equal(signedIn.status, 200, `sign-in ${i + 1}: ${signedIn.text}`);
        assert.equal((await here.post('/v1/auth/logout', undefined, AuthResult.parse(signedIn.body).token)).status, 204);
      }
      assert.equal((await login(here, laptop.email, 'Tablet')).session.deviceName, 'Tablet');
      // Counted where an operator looks (docs/operations.md, `LATCH_METRICS_PORT`).
      const metrics = await (await fetch(`${strict.metricsUrl!}/metrics`)).text();
      assert.match(metrics, /^latch_sign_ins_total\{outcome="passkey_signed_in"\} 25$/m);
    } finally {
      await strict.close();
    }
  });

  it('the 21st passkey is refused before the browser’s prompt, saying why', async () => {
    const { laptop } = await withPasskey('many');
    for (let i = 1; i < 20; i++) {
      const asked = options(await http.post('/v1/account/passkeys/options', undefined, laptop.token));
      const made = await http.post('/v1/account/passkeys', { id: asked.id, name: `Key ${i}`, response: new SoftPasskey(ORIGIN).create(asked.options) }, laptop.token);
      assert.equal(made.status, 200, made.text);
    }
    const more = await http.post('/v1/account/passkeys/options', undefined, laptop.token);
    assert.equal(more.status, 409);
    assert.equal(more.body.error.say.key, 'too_many_passkeys');
  });
});
