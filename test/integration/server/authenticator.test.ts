// Codes from an authenticator app (docs/architecture.md, "Authenticator codes"), over HTTP on both stores, on a
// frozen clock: set up and confirmed by a code, then a password sign-in needs one; a step either side of now
// works, a code works once, five wrong codes end the sign-in, twenty a day pause the account's; a recovery
// code stands in; the secret is sealed at rest and sealed again when the key is rotated.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { AuthenticatorChanged, AuthenticatorSetting, AuthenticatorSetup, AuthResult, SecondFactor, SecurityEventList } from '../../../shared/api.js';
import { EventSocket, Http, PASSWORD, device, login, register, uniqueEmail } from '../../../kit/http.js';
import { mailedCode } from '../../../kit/mailbox.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { ManualClock } from '../../support/clock.js';
import { GENEROUS_RATE_LIMIT, startTestServer, testConfig, type TestServer } from '../../support/server.js';
import { DEFAULT_RATE_LIMIT } from '../../../server/config/config.js';
import { forEachStore } from '../../support/stores.js';

const STEP_MS = 30_000;
const codeAt = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });

forEachStore('authenticator codes', (ctx) => {
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const clock = new ManualClock({ frozen: true });
  const sockets: EventSocket[] = [];
  before(async () => {
    store = await ctx.newStore();
    // The first millisecond of a time step: the tests move from there.
    clock.advance(STEP_MS - (clock.now() % STEP_MS));
    server = await startTestServer(store, { clock, config: { rateLimit: GENEROUS_RATE_LIMIT } });
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  /** An account with codes on (set up on 'Work laptop'): its secret, the laptop's sign-in and the recovery codes. */
  async function withCodes(label: string) {
    const laptop = await register(http, uniqueEmail(label), 'Work laptop');
    const setup = AuthenticatorSetup.parse((await http.post('/v1/account/authenticator/setup', { password: PASSWORD }, laptop.token)).body);
    // The code of the next step: the one a person types as the app rolls over.
    clock.advance(STEP_MS);
    const confirmed = await http.post('/v1/account/authenticator/confirm', { code: codeAt(setup.secret, clock.now()) }, laptop.token);
    assert.equal(confirmed.status, 200, confirmed.text);
    const changed = AuthenticatorChanged.parse(confirmed.body);
    clock.advance(STEP_MS);
    return { laptop, secret: setup.secret, recoveryCodes: changed.recoveryCodes ?? [] };
  }

  const passwordStep = async (email: string, name = 'Phone') => {
    const reply = await http.post('/v1/auth/login', { email, password: PASSWORD, device: device(name) });
    assert.equal(reply.status, 202, reply.text);
    return SecondFactor.parse(reply.body).secondFactor.id;
  };
  const giveCode = (id: string, code: string) => http.post('/v1/auth/login/second-factor', { id, code });

  it('set up: the password first; a QR code and the secret as text; nothing changes until a code from it is confirmed, and then every device hears it', async () => {
    const laptop = await register(http, uniqueEmail('setup'), 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const onPhone = await EventSocket.open(server.url, phone.token);
    sockets.push(onPhone);

    const refused = await http.post('/v1/account/authenticator/setup', { password: 'not the password' }, laptop.token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'invalid_password');

    const setup = AuthenticatorSetup.parse((await http.post('/v1/account/authenticator/setup', { password: PASSWORD }, laptop.token)).body);
    assert.match(setup.uri, new RegExp(`^otpauth://totp/Latch:${encodeURIComponent(laptop.email).replace(/[.]/g, '\\.')}\\?issuer=Latch&secret=${setup.secret}&algorithm=SHA1&digits=6&period=30$`));
    assert.match(Buffer.from(setup.qrCode.split(',')[1]!, 'base64').toString('utf8'), /^<svg /);

    // Not in effect yet: the password alone still signs in.
    assert.equal((await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('Tablet') })).status, 200);
    const wrong = await http.post('/v1/account/authenticator/confirm', { code: codeAt(setup.secret, clock.now() + 3 * STEP_MS) }, laptop.token);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.say.key, 'authenticator_code_wrong');
    assert.equal(AuthenticatorSetting.parse((await http.get('/v1/account/authenticator', laptop.token)).body).enabled, false);

    const heard = onPhone.nextWhere('account.changed', (m) => m.change.what === 'authenticator_turned_on');
    const confirmed = AuthenticatorChanged.parse((await http.post('/v1/account/authenticator/confirm', { code: codeAt(setup.secret, clock.now()) }, laptop.token)).body);
    assert.equal(confirmed.enabled, true);
    assert.equal(confirmed.recoveryCodes?.length, 10, 'the account had no recovery codes: it gets its set, shown once');
    assert.equal((await heard).change.byDeviceName, 'Work laptop');
    const setting = AuthenticatorSetting.parse((await http.get('/v1/account/authenticator', laptop.token)).body);
    assert.deepEqual([setting.enabled, setting.recoveryCodesLeft], [true, 10]);
    const events = SecurityEventList.parse((await http.get('/v1/security-events', laptop.token)).body).events;
    assert.equal(events[0]?.type, 'authenticator_turned_on');
  });

  it('a setup not confirmed within ten minutes has ended', async () => {
    const laptop = await register(http, uniqueEmail('late'), 'Work laptop');
    const setup = AuthenticatorSetup.parse((await http.post('/v1/account/authenticator/setup', { password: PASSWORD }, laptop.token)).body);
    clock.advance(10 * 60_000 + 1);
    const late = await http.post('/v1/account/authenticator/confirm', { code: codeAt(setup.secret, clock.now()) }, laptop.token);
    assert.equal(late.status, 410);
    assert.equal(late.body.error.say.key, 'authenticator_setup_ended');
  });

  it('sign-in: a wrong password is refused as ever; the right one asks for the code, and the session says it signed in with both', async () => {
    const { laptop, secret } = await withCodes('signin');
    const wrongPassword = await http.post('/v1/auth/login', { email: laptop.email, password: 'not the password', device: device('Phone') });
    assert.equal(wrongPassword.status, 401);
    assert.equal(wrongPassword.body.error.code, 'invalid_credentials');

    const id = await passwordStep(laptop.email);
    const signedIn = await giveCode(id, codeAt(secret, clock.now()));
    assert.equal(signedIn.status, 200, signedIn.text);
    const result = AuthResult.parse(signedIn.body);
    assert.equal(result.session.signedInWith, 'password_and_code');
    assert.equal((await http.get('/v1/auth/session', result.token)).status, 200);
    // The handle works once.
    assert.equal((await giveCode(id, codeAt(secret, clock.now() + STEP_MS))).status, 410);
  });

  it('at the edges of a step: the code before and after now work, two steps off does not; each code works once, and so does an older one after a newer', async () => {
    const { laptop, secret } = await withCodes('edges');
    // The last millisecond of a step, two on from the one the setup's code was of.
    clock.advance(2 * STEP_MS - (clock.now() % STEP_MS) - 1);
    const now = clock.now();
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, now - 2 * STEP_MS))).status, 401, 'two steps back');
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, now + 2 * STEP_MS))).status, 401, 'two steps ahead');
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, now - STEP_MS))).status, 200, 'the step before');
    const replay = await giveCode(await passwordStep(laptop.email), codeAt(secret, now - STEP_MS));
    assert.equal(replay.status, 401, 'the same code again');
    assert.equal(replay.body.error.say.key, 'second_factor_wrong');
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, now + 1))).status, 200, 'the step after (one millisecond on)');
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, now))).status, 401, 'now, older than the step just used');
    // Two at once with a new code (the step after the one just used): one is signed in.
    clock.advance(2 * STEP_MS);
    const [first, second] = await Promise.all([passwordStep(laptop.email), passwordStep(laptop.email)]);
    const code = codeAt(secret, clock.now());
    const statuses = (await Promise.all([giveCode(first, code), giveCode(second, code)])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 401]);
  });

  it('five wrong codes end the sign-in, right code or not after them; twenty a day pause the account’s password sign-ins', async () => {
    const { laptop, secret } = await withCodes('guesses');
    const id = await passwordStep(laptop.email);
    const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => giveCode(id, String(100_000 + i))));
    // The fifth wrong code is told the sign-in has ended: only five are checked, however many arrive at once.
    assert.deepEqual(tries.map((r) => r.status).sort(), [401, 401, 401, 401, 410, 410, 410, 410]);
    assert.equal((await giveCode(id, codeAt(secret, clock.now()))).status, 410);

    for (let sign = 0; sign < 3; sign++) {
      const next = await passwordStep(laptop.email);
      for (let i = 0; i < 5; i++) await giveCode(next, String(200_000 + i));
    }
    const paused = await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('Phone') });
    assert.equal(paused.status, 429);
    assert.ok(Number(paused.headers.get('retry-after')) > 0);
    clock.advance(24 * 60 * 60_000);
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, clock.now()))).status, 200, 'a day on');
  });

  it('the day’s twenty are counted when each code is tried: handles made first, then guessed at from many addresses, check no more than twenty', async () => {
    const { laptop, secret } = await withCodes('handles');
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await passwordStep(laptop.email));
    const answers = await Promise.all(ids.flatMap((id, i) => Array.from({ length: 5 }, (_, j) => giveCode(id, String(300_000 + i * 10 + j)))));
    // A try refused for the day was counted first too: of thirty at once, at most twenty were compared.
    const checked = answers.filter((r) => r.status === 401 || r.status === 410).length;
    assert.ok(checked <= 20 && checked + answers.filter((r) => r.status === 429).length === 30, `answers: ${answers.map((r) => r.status).join(' ')}`);
    assert.equal((await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('Phone') })).status, 429);
    // The owner, whose password is known: a reset by mail has a budget of its own, and ends the day's count.
    const asked = await http.post('/v1/auth/password-reset', { email: laptop.email });
    const reset = await http.post('/v1/auth/password-reset/confirm', { id: asked.body.codeSent.id, code: await mailedCode(server.url, laptop.email, /password reset code/), password: 'a fresh passphrase', device: device('Laptop') });
    assert.equal(reset.status, 202, reset.text);
    assert.equal((await giveCode(SecondFactor.parse(reset.body).secondFactor.id, codeAt(secret, clock.now()))).status, 200);
    clock.advance(2 * STEP_MS);
    const signIn = await http.post('/v1/auth/login', { email: laptop.email, password: 'a fresh passphrase', device: device('Phone') });
    assert.equal(signIn.status, 202, 'the guesses made against the old password no longer count');
  });

  it('a sign-in waiting for its code ends when the password is changed; codes on cannot be set up again over themselves', async () => {
    const { laptop, secret } = await withCodes('changed');
    const id = await passwordStep(laptop.email);
    const changed = await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'another passphrase', signOutOtherSessions: true }, laptop.token);
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await giveCode(id, codeAt(secret, clock.now()))).status, 410);
    const again = await http.post('/v1/account/authenticator/setup', { password: 'another passphrase' }, laptop.token);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.say.key, 'authenticator_already_on');
  });

  it('the mailed step-up stands in for the password’s ceiling, not for the code: after it, the app’s code is still asked for', async () => {
    const { laptop, secret } = await withCodes('stepup');
    const strict = await startTestServer(store, { clock, config: { trustProxy: 1, rateLimit: { ...DEFAULT_RATE_LIMIT, maxFailuresPerAccount: 3, maxRegistrationsPerAddress: 100_000 } } });
    try {
      const strictHttp = new Http(strict.url);
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      for (let i = 0; i < 3; i++) {
        const guess = await strictHttp.request('POST', '/v1/auth/login', { json: { email: laptop.email, password: 'a guess', device: device('Stranger') }, headers: from(`198.51.100.${i + 1}`) });
        assert.equal(guess.status, 401);
      }
      const owner = await strictHttp.request('POST', '/v1/auth/login', { json: { email: laptop.email, password: PASSWORD, device: device('Phone') }, headers: from('192.0.2.77') });
      assert.deepEqual(Object.keys(owner.body), ['stepUp']);
      const code = await mailedCode(strict.url, laptop.email, /finishes your Latch sign-in/);
      const stepped = await strictHttp.request('POST', '/v1/auth/login/code', { json: { id: owner.body.stepUp.id, code, password: PASSWORD }, headers: from('192.0.2.77') });
      assert.equal(stepped.status, 202, stepped.text);
      const id = SecondFactor.parse(stepped.body).secondFactor.id;
      const done = await strictHttp.request('POST', '/v1/auth/login/second-factor', { json: { id, code: codeAt(secret, clock.now()) }, headers: from('192.0.2.77') });
      assert.equal(done.status, 200, done.text);
      assert.equal(AuthResult.parse(done.body).session.signedInWith, 'password_and_code');
    } finally {
      await strict.close();
    }
  });

  it('a recovery code instead of the app: signed in once with it, the others hear it, nine are left', async () => {
    const { laptop, recoveryCodes } = await withCodes('recovery');
    const onLaptop = await EventSocket.open(server.url, laptop.token);
    sockets.push(onLaptop);
    const signedIn = await giveCode(await passwordStep(laptop.email), recoveryCodes[0]!.toUpperCase());
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.equal(AuthResult.parse(signedIn.body).session.signedInWith, 'recovery_code');
    assert.equal((await onLaptop.nextWhere('account.changed', (m) => m.change.what === 'recovery_code_used')).change.recoveryCodesLeft, 9);
    assert.equal((await giveCode(await passwordStep(laptop.email), recoveryCodes[0]!)).status, 401, 'used once');
  });

  it('turned off with the password: the password alone signs in again, and the recovery codes go (sign-in approval is off)', async () => {
    const { laptop } = await withCodes('off');
    assert.equal((await http.post('/v1/account/authenticator/off', { password: 'not the password' }, laptop.token)).status, 403);
    const off = AuthenticatorChanged.parse((await http.post('/v1/account/authenticator/off', { password: PASSWORD }, laptop.token)).body);
    assert.deepEqual([off.enabled, off.recoveryCodesLeft], [false, 0]);
    const signedIn = await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('Phone') });
    assert.equal(signedIn.status, 200);
    assert.equal(AuthResult.parse(signedIn.body).session.signedInWith, 'password');
  });

  it('with codes on, sign-in approval turned on keeps the recovery codes saved at setup, and turned off keeps them too', async () => {
    const { laptop, recoveryCodes } = await withCodes('both');
    const on = await http.request('PUT', '/v1/account/sign-in-approval', { json: { required: true, password: PASSWORD }, token: laptop.token });
    assert.equal(on.status, 200, on.text);
    assert.deepEqual([on.body.recoveryCodes, on.body.recoveryCodesLeft], [undefined, 10], 'the set saved at setup is not replaced');
    const offAgain = await http.request('PUT', '/v1/account/sign-in-approval', { json: { required: false, password: PASSWORD }, token: laptop.token });
    assert.equal(offAgain.body.recoveryCodesLeft, 10);
    assert.equal((await giveCode(await passwordStep(laptop.email), recoveryCodes[3]!)).status, 200, 'a code saved at setup still works');
  });

  it('a password reset by mail needs the code too: the mailbox alone does not undo it; given, the new password signs this device in and the others out', async () => {
    const { laptop, secret, recoveryCodes } = await withCodes('reset');
    const onLaptop = await EventSocket.open(server.url, laptop.token);
    sockets.push(onLaptop);
    let resets = 0;
    const resetWith = async (password: string, extra: Record<string, string> = {}) => {
      const asked = await http.post('/v1/auth/password-reset', { email: laptop.email });
      const code = await mailedCode(server.url, laptop.email, /password reset code/, resets++);
      return http.post('/v1/auth/password-reset/confirm', { id: asked.body.codeSent.id, code, password, device: device('New laptop'), ...extra });
    };
    const reset = await resetWith('a new passphrase now');
    assert.equal(reset.status, 202, reset.text);
    const id = SecondFactor.parse(reset.body).secondFactor.id;
    // Not yet: the old password still signs in (to the code step), the laptop is still signed in.
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 200);
    assert.equal((await giveCode(id, '000000')).status, 401);
    const done = await giveCode(id, codeAt(secret, clock.now()));
    assert.equal(done.status, 200, done.text);
    assert.equal(AuthResult.parse(done.body).session.signedInWith, 'password_reset');
    assert.equal((await onLaptop.next('session.revoked')).reason, 'password_reset');
    assert.equal((await http.post('/v1/auth/login', { email: laptop.email, password: 'a new passphrase now', device: device('Phone') })).status, 202);

    // A recovery code given with the reset does it at once.
    const withRecovery = await resetWith('another passphrase', { recoveryCode: recoveryCodes[1]! });
    assert.equal(withRecovery.status, 200, withRecovery.text);
  });

  it('the secret is sealed at rest: neither it nor its text is in the store', async () => {
    const { secret } = await withCodes('at-rest');
    const dump = await ctx.dumpStore(store);
    assert.ok(!dump.includes(secret));
    assert.ok(!dump.includes(Buffer.from(secret).toString('base64')));
  });

  it('a server without the key starts, says which key it lacks, and answers an app code as its own failure; a recovery code still signs in', async () => {
    const { laptop, secret, recoveryCodes } = await withCodes('lost-key');
    await server.close();
    server = await startTestServer(store, { clock, config: { rateLimit: GENEROUS_RATE_LIMIT, secretKey: { key: randomBytes(32).toString('base64'), previous: undefined, file: '' } } });
    http = new Http(server.url);
    assert.ok(server.logs.some((line) => /sealed with key \w+, which this server does not have/.test(line)), 'said at start');
    const failed = await giveCode(await passwordStep(laptop.email), codeAt(secret, clock.now()));
    assert.equal(failed.status, 500);
    assert.equal((await giveCode(await passwordStep(laptop.email), recoveryCodes[0]!)).status, 200);
    await server.close();
    server = await startTestServer(store, { clock, config: { rateLimit: GENEROUS_RATE_LIMIT } });
    http = new Http(server.url);
  });

  it('a rotated key: with the old one as LATCH_SECRET_KEY_PREVIOUS, codes still work, and the secret is sealed again under the new key at start', async () => {
    const { laptop, secret } = await withCodes('rotate');
    const old = readFileSync(testConfig(store).secretKey.file, 'utf8').trim();
    const fresh = randomBytes(32).toString('base64');
    await server.close();
    server = await startTestServer(store, { clock, config: { rateLimit: GENEROUS_RATE_LIMIT, secretKey: { key: fresh, previous: old, file: '' } } });
    http = new Http(server.url);
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, clock.now()))).status, 200);
    // The old key gone: the new one alone opens it.
    await server.close();
    server = await startTestServer(store, { clock, config: { rateLimit: GENEROUS_RATE_LIMIT, secretKey: { key: fresh, previous: undefined, file: '' } } });
    http = new Http(server.url);
    clock.advance(STEP_MS);
    assert.equal((await giveCode(await passwordStep(laptop.email), codeAt(secret, clock.now()))).status, 200);
  });
});
