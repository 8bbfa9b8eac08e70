// Mail, received by a real SMTP server on loopback: "Forgot password?" end to end, the codes' rules, the
// security mail, and an outbox that neither loses nor repeats a message while the mail server is down.
// On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { CodeSent, PendingSignIn, type ErrorBody } from '../../../shared/api.js';
import { codeIn, mailboxContents, mailedCode } from '../../../kit/mailbox.js';
import { EventSocket, Http, PASSWORD, SIGN_UP_SUBJECT, device, login, register, uniqueEmail } from '../../../kit/http.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { openDatabase } from '../../../server/storage/database.js';
import { MINUTE, ManualClock } from '../../support/clock.js';
import { GENEROUS_RATE_LIMIT, startTestServer, testConfig, type TestServer } from '../../support/server.js';
import { SmtpInbox } from '../../../kit/smtp.js';
import { forEachStore } from '../../support/stores.js';
import { waitFor } from '../../support/wait.js';

const NEW_PASSWORD = 'a new passphrase after the loss';
const RESET_SUBJECT = /password reset code/;

forEachStore('mail', (ctx) => {
  let server: TestServer;
  let http: Http;
  let store: StoreConfig;
  const clock = new ManualClock();
  const inbox = new SmtpInbox();
  const sockets: EventSocket[] = [];

  before(async () => {
    await inbox.start();
    store = await ctx.newStore();
    const defaults = testConfig(store).mail;
    server = await startTestServer(store, {
      clock,
      // Many codes from one address: the limits are not this suite's subject (abuse.test.ts has them).
      config: { rateLimit: GENEROUS_RATE_LIMIT, mail: { ...defaults, transport: { kind: 'smtp', url: inbox.url }, burstMs: 300, retryFirstMs: 100, retryMaxMs: 400 } },
    });
    inbox.serves(server.url);
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
    await inbox.stop();
  });

  const listen = async (token: string) => {
    const socket = await EventSocket.open(server.url, token);
    sockets.push(socket);
    return socket;
  };

  /** An account made by its sign-up's code: its address is confirmed. */
  const confirmedAccount = async (deviceName = 'Work laptop') => {
    const account = await register(http, uniqueEmail(), deviceName);
    assert.equal(account.user.emailVerified, true);
    return account;
  };

  /** An account as made before Latch confirmed addresses (straight in the store: no route un-confirms one). */
  const unconfirmedAccount = async () => {
    const account = await register(http, uniqueEmail(), 'Work laptop');
    const opened = await openDatabase(store);
    await opened.db.updateTable('users').set({ email_verified_at: null }).where('id', '=', account.user.id).execute();
    await opened.close();
    const again = await login(http, account.email, 'Work laptop again');
    assert.equal(again.user.emailVerified, false);
    return { ...account, token: again.token };
  };

  const askReset = async (email: string) => {
    const reply = await http.post<CodeSent>('/v1/auth/password-reset', { email });
    assert.equal(reply.status, 202, reply.text);
    return CodeSent.parse(reply.body).codeSent.id;
  };

  it('resets a forgotten password by mail: the code works once, this device is signed in and every other one out', async () => {
    const laptop = await register(http, uniqueEmail(), 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const phoneSocket = await listen(phone.token);

    const id = await askReset(laptop.email);
    const mail = await inbox.next(laptop.email, (m) => RESET_SUBJECT.test(m.subject));
    assert.match(mail.text, /works once, for 15 minutes/);
    assert.match(mail.html, /<p[^>]*>\d{6}<\/p>/, 'the HTML shows the code too');
    const code = codeIn(mail);

    const reset = await http.post('/v1/auth/password-reset/confirm', { id, code, password: NEW_PASSWORD, device: device('Borrowed laptop') });
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.body.session.deviceName, 'Borrowed laptop');
    assert.equal(reset.body.session.signedInWith, 'password_reset', 'its details say how it signed in');
    assert.equal(reset.body.user.emailVerified, true, 'the code proved the address');

    const told = await phoneSocket.next('session.revoked');
    assert.equal(told.reason, 'password_reset');
    assert.equal((await http.get('/v1/auth/session', laptop.token)).status, 401);
    const ended = await http.get<ErrorBody>('/v1/auth/session', phone.token);
    assert.equal(ended.body.error.reason, 'password_reset');

    const again = await http.post<ErrorBody>('/v1/auth/password-reset/confirm', { id, code, password: 'yet another passphrase', device: device('Thief') });
    assert.equal(again.status, 410, 'a code works once');
    assert.equal(again.body.error.code, 'code_expired');

    assert.equal((await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('X') })).status, 401, 'the old password is gone');
    await login(http, laptop.email, 'New phone', NEW_PASSWORD);

    const confirmation = await inbox.next(laptop.email, (m) => /security alert/.test(m.subject) && /reset by email/.test(m.text));
    assert.match(confirmation.text, /Password reset by email on 'Borrowed laptop'; 2 other devices signed out/);
    assert.match(confirmation.text, /\/account#devices/);
    assert.doesNotMatch(confirmation.text, /lt_/, 'links carry no token');
    const events = (await http.get('/v1/security-events', reset.body.token)).body.events as Array<{ type: string }>;
    assert.ok(events.some((event) => event.type === 'password_reset'));
  });

  it('answers a reset for an address with no account exactly as for one with an account, and mails nothing', async () => {
    const owner = await register(http, uniqueEmail(), 'Work laptop');
    const stranger = uniqueEmail('nobody');
    const forNobody = await http.post('/v1/auth/password-reset', { email: stranger });
    const forOwner = await http.post('/v1/auth/password-reset', { email: owner.email });
    assert.equal(forNobody.status, forOwner.status);
    assert.deepEqual(Object.keys(forNobody.body.codeSent).sort(), Object.keys(forOwner.body.codeSent).sort());
    await inbox.next(owner.email, (m) => RESET_SUBJECT.test(m.subject));
    // Asked first, so its mail would have been sent before the owner's.
    assert.equal(inbox.to(stranger).length, 0);
    // A code guessed for the decoy is answered as a wrong code.
    const guessed = await http.post<ErrorBody>('/v1/auth/password-reset/confirm', { id: forNobody.body.codeSent.id, code: '123456', password: NEW_PASSWORD, device: device('X') });
    assert.equal(guessed.status, 401);
    assert.equal(guessed.body.error.code, 'invalid_code');
  });

  it('ends a code after five wrong tries, counted before the check: the right code on the sixth is refused', async () => {
    const owner = await register(http, uniqueEmail(), 'Work laptop');
    const id = await askReset(owner.email);
    const code = codeIn(await inbox.next(owner.email, (m) => RESET_SUBJECT.test(m.subject)));
    const wrong = code === '000000' ? '111111' : '000000';
    const tries = await Promise.all(Array.from({ length: 5 }, () => http.post<ErrorBody>('/v1/auth/password-reset/confirm', { id, code: wrong, password: NEW_PASSWORD, device: device('X') })));
    assert.deepEqual(tries.map((t) => t.status).sort(), [401, 401, 401, 401, 410]);
    const sixth = await http.post<ErrorBody>('/v1/auth/password-reset/confirm', { id, code, password: NEW_PASSWORD, device: device('X') });
    assert.equal(sixth.status, 410);
    await login(http, owner.email, 'Still works');
  });

  it('ends a code after 15 minutes, and when the password is changed meanwhile', async () => {
    const owner = await register(http, uniqueEmail(), 'Work laptop');
    const late = await askReset(owner.email);
    const lateCode = codeIn(await inbox.next(owner.email, (m) => RESET_SUBJECT.test(m.subject)));
    clock.advance(15 * MINUTE);
    const expired = await http.post<ErrorBody>('/v1/auth/password-reset/confirm', { id: late, code: lateCode, password: NEW_PASSWORD, device: device('X') });
    assert.equal(expired.status, 410);

    const voided = await askReset(owner.email);
    const voidedCode = codeIn(await inbox.next(owner.email, (m) => RESET_SUBJECT.test(m.subject) && codeIn(m) !== lateCode));
    const changed = await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, owner.token);
    assert.equal(changed.status, 200);
    const refused = await http.post<ErrorBody>('/v1/auth/password-reset/confirm', { id: voided, code: voidedCode, password: 'the thief would choose this', device: device('X') });
    assert.equal(refused.status, 410, 'a password change voids open reset codes');
  });

  it('with sign-in approval on, a reset waits for a device to approve it, or takes a recovery code: a stolen mailbox alone cannot undo approval', async () => {
    const owner = await register(http, uniqueEmail(), 'Work laptop');
    const turnedOn = await http.request('PUT', '/v1/account/sign-in-approval', { json: { required: true, password: PASSWORD }, token: owner.token });
    assert.equal(turnedOn.status, 200, turnedOn.text);
    const [first, second] = turnedOn.body.recoveryCodes as string[];
    const laptop = await listen(owner.token);
    clock.advance(1000);
    const resetCode = async () => {
      const id = await askReset(owner.email);
      const mail = await inbox.next(owner.email, (m) => RESET_SUBJECT.test(m.subject) && !used.has(codeIn(m)));
      used.add(codeIn(mail));
      return { id, code: codeIn(mail) };
    };
    const used = new Set<string>();
    const askDevices = async (deviceName: string) => {
      const asked = await http.post('/v1/auth/password-reset/confirm', { ...(await resetCode()), password: NEW_PASSWORD, device: device(deviceName) });
      assert.equal(asked.status, 202, asked.text);
      const prompt = await laptop.nextWhere('signin.requested', (m) => m.request.deviceName === deviceName);
      assert.equal(prompt.request.reset, true, 'the device is told it is asked about a password reset');
      return { pending: PendingSignIn.parse(asked.body), prompt };
    };
    const stillOld = async () => assert.equal((await http.post('/v1/auth/reauth', { password: PASSWORD }, owner.token)).status, 200, 'the password is unchanged');

    // The thief with the mailbox: the owner's device says no, and nothing changes.
    const thief = await askDevices('Thief');
    assert.equal((await http.post(`/v1/sign-in-requests/${thief.pending.pending.id}/answer`, { deny: true }, owner.token)).status, 200);
    const refused = await http.post(`/v1/auth/sign-in-requests/${thief.pending.pending.id}/wait`, { secret: thief.pending.pending.secret });
    assert.equal(refused.body.state, 'denied');
    await stillOld();
    // A denied reset is someone with the mailbox: the owner's own sign-ins are not paused for it.
    const ownSignIn = await http.post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('Phone') });
    assert.equal(ownSignIn.status, 202, ownSignIn.text);
    const own = PendingSignIn.parse(ownSignIn.body);
    assert.equal((await http.post(`/v1/auth/sign-in-requests/${own.pending.id}/cancel`, { secret: own.pending.secret })).status, 204);
    // One reset waits at a time: a newer one ends the older, and its prompt goes away.
    const older = await askDevices('Thief again');
    await askDevices('Thief once more');
    const gone = await laptop.nextWhere('signin.resolved', (m) => m.id === older.pending.pending.id);
    assert.equal(gone.outcome, 'cancelled');

    // A wrong recovery code with the reset changes nothing either.
    const wrongOne = await http.post<ErrorBody>('/v1/auth/password-reset/confirm', { ...(await resetCode()), password: NEW_PASSWORD, device: device('Thief'), recoveryCode: 'aaaaa-bbbbb' });
    assert.equal(wrongOne.status, 401);
    assert.equal(wrongOne.body.error.code, 'invalid_recovery_code');
    await stillOld();

    // The owner on a new laptop, the old one at hand: approved there, the new password is set and the old laptop signed out.
    const mine = await askDevices('New laptop');
    const number = mine.pending.pending.number;
    assert.equal((await http.post(`/v1/sign-in-requests/${mine.pending.pending.id}/answer`, { number }, owner.token)).status, 200);
    const approved = await http.post(`/v1/auth/sign-in-requests/${mine.pending.pending.id}/wait`, { secret: mine.pending.pending.secret });
    assert.equal(approved.body.state, 'approved', approved.text);
    const newLaptop = approved.body.result.token as string;
    const ended = await laptop.next('session.revoked');
    assert.equal(ended.reason, 'password_reset');
    assert.equal((await http.get('/v1/auth/session', owner.token)).status, 401);
    const events = (await http.get('/v1/security-events', newLaptop)).body.events as Array<{ type: string }>;
    assert.ok(events.some((e) => e.type === 'password_reset'));
    assert.equal((await http.post('/v1/auth/reauth', { password: NEW_PASSWORD }, newLaptop)).status, 200, 'the new password is the password');

    // No device at hand: a recovery code completes the waiting reset instead.
    const phone = await listen(newLaptop);
    const again = await http.post('/v1/auth/password-reset/confirm', { ...(await resetCode()), password: 'and yet another passphrase', device: device('Phone') });
    assert.equal(again.status, 202, again.text);
    const waiting = PendingSignIn.parse(again.body);
    const recovered = await http.post(`/v1/auth/sign-in-requests/${waiting.pending.id}/recover`, { secret: waiting.pending.secret, code: first });
    assert.equal(recovered.status, 200, recovered.text);
    assert.equal(recovered.body.recoveryCodesLeft, 9);
    assert.equal((await phone.next('session.revoked')).reason, 'password_reset');
    assert.equal((await http.post('/v1/auth/reauth', { password: 'and yet another passphrase' }, recovered.body.token)).status, 200);

    // With a recovery code sent along, it is done at once; approval stays on.
    const withOne = await http.post('/v1/auth/password-reset/confirm', { ...(await resetCode()), password: NEW_PASSWORD, device: device('Tablet'), recoveryCode: second });
    assert.equal(withOne.status, 200, withOne.text);
    const setting = await http.get('/v1/account/sign-in-approval', withOne.body.token);
    assert.equal(setting.body.required, true, 'approval stays on');
    assert.equal(setting.body.recoveryCodesLeft, 8);
  });

  it('confirms an address with the newest mailed code only, and says so when it is confirmed already', async () => {
    const owner = await unconfirmedAccount();
    assert.equal((await http.post<CodeSent>('/v1/account/email/send-code', undefined, owner.token)).status, 202);
    const first = codeIn(await inbox.next(owner.email, (m) => /confirms your email/.test(m.subject)));
    const sent = await http.post<CodeSent>('/v1/account/email/send-code', undefined, owner.token);
    assert.equal(sent.status, 202, sent.text);
    const second = codeIn(await inbox.next(owner.email, (m) => /confirms your email/.test(m.subject) && codeIn(m) !== first));
    if (first !== second) {
      const old = await http.post<ErrorBody>('/v1/account/email/confirm', { code: first }, owner.token);
      assert.equal(old.status, 401, 'a newer code replaced it');
    }
    assert.equal((await http.post('/v1/account/email/confirm', { code: ` ${second.slice(0, 3)} ${second.slice(3)} ` }, owner.token)).status, 200, 'spaces from a paste are ignored');
    assert.equal((await http.get('/v1/auth/session', owner.token)).body.user.emailVerified, true, 'every check sees it at once');
    assert.equal((await http.post('/v1/account/email/send-code', undefined, owner.token)).status, 409);
    const other = await unconfirmedAccount();
    assert.equal((await http.post('/v1/account/email/send-code', undefined, other.token)).status, 202);
    const others = codeIn(await inbox.next(other.email, (m) => /confirms your email/.test(m.subject)));
    if (others !== second) assert.equal((await http.post('/v1/account/email/confirm', { code: second }, other.token)).status, 401, "another account's code does nothing");
  });

  it('mails a new sign-in to the confirmed address while no device is online, naming the device and where; the owner can turn that off', async () => {
    const owner = await confirmedAccount('Work laptop');
    await http.request('POST', '/v1/auth/login', { json: { email: owner.email, password: PASSWORD, device: { ...device('Unknown PC', 'win32'), os: 'Windows 11' } }, headers: { 'x-forwarded-for': '81.2.69.142' } });
    const alert = await inbox.next(owner.email, (m) => /security alert/.test(m.subject));
    assert.match(alert.subject, /Signed in on 'Unknown PC'/);
    assert.match(alert.text, /Signed in on 'Unknown PC'/);
    assert.match(alert.text, /This wasn't me: http:\/\/.+\/account#devices/);
    assert.match(alert.text, /New sign-in alerts can be turned off/);

    const off = await http.request('PUT', '/v1/account/mail', { json: { newSignIns: false }, token: owner.token });
    assert.deepEqual(off.body, { newSignIns: false });
    assert.deepEqual((await http.get('/v1/account/mail', owner.token)).body, { newSignIns: false });
    await login(http, owner.email, 'Quiet sign-in');
    await http.post('/v1/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, signOutOtherSessions: false }, owner.token);
    const changed = await inbox.next(owner.email, (m) => /Password changed/.test(m.subject + m.text));
    assert.doesNotMatch(changed.text, /Quiet sign-in/, 'no sign-in mail while that is off; the other alerts still go');
    assert.ok(inbox.to(owner.email).some((m) => /New sign-in alerts by email turned off on 'Work laptop'/.test(m.text)), 'turning them off is itself told');
  });

  it('makes one mail of a burst of events', async () => {
    const owner = await confirmedAccount('Work laptop');
    const before = inbox.to(owner.email).length;
    // One burst however busy the machine: the clock stands still while the three sign in (on a loaded
    // machine they once took longer than the burst's 300 ms, and came as three mails).
    clock.freeze();
    try {
      await Promise.all(['One', 'Two', 'Three'].map((name) => login(http, owner.email, name)));
    } finally {
      clock.thaw();
    }
    const burst = await inbox.next(owner.email, (m) => /3 changes/.test(m.subject));
    for (const name of ['One', 'Two', 'Three']) assert.match(burst.text, new RegExp(`Signed in on '${name}'`));
    assert.equal(inbox.to(owner.email).length, before + 1);
  });
});

forEachStore('mail while the mail server is down', (ctx) => {
  it('keeps every message while SMTP is down for 30 s and delivers each exactly once when it is back', async () => {
    const inbox = await new SmtpInbox().start();
    const clock = new ManualClock();
    const store = await ctx.newStore();
    const defaults = testConfig(store).mail;
    const server = await startTestServer(store, { clock, config: { mail: { ...defaults, transport: { kind: 'smtp', url: inbox.url }, retryFirstMs: 100, retryMaxMs: 1_000 } } });
    inbox.serves(server.url);
    try {
      const http = new Http(server.url);
      const owners = await Promise.all([1, 2, 3].map(() => register(http, uniqueEmail(), 'Work laptop')));
      for (const owner of owners) await inbox.next(owner.email);
      await inbox.stop();
      const ids = await Promise.all(owners.map(async (owner) => (await http.post('/v1/auth/password-reset', { email: owner.email })).body.codeSent.id as string));
      assert.equal(ids.length, 3, 'no request waited for SMTP');
      await waitFor(() => server.logs.filter((line) => line.includes('not sent')).length >= 6, 'the outbox tried and failed');
      clock.advance(30_000);
      await inbox.start();
      for (const owner of owners) await inbox.next(owner.email, (m) => RESET_SUBJECT.test(m.subject));
      // Anything sent twice would arrive within the next look: one more mail through the same outbox, then count.
      const marker = await register(http, uniqueEmail('marker'), 'Work laptop');
      await inbox.next(marker.email);
      for (const owner of owners) {
        const resets = inbox.to(owner.email).filter((m) => RESET_SUBJECT.test(m.subject));
        assert.equal(resets.length, 1, `one reset mail to ${owner.email}`);
      }
      assert.equal(new Set(inbox.received.map((m) => m.messageId)).size, inbox.received.length, 'no Message-ID twice');
    } finally {
      await server.close();
      await inbox.stop();
    }
  });
});

forEachStore(
  'the local mailbox',
  (ctx) => {
    it('with no SMTP set, saves each message as an .eml file and logs one line naming the file and its code', async () => {
      const store = await ctx.newStore();
      const server = await startTestServer(store);
      try {
        const http = new Http(server.url);
        const owner = await register(http, uniqueEmail(), 'Work laptop');
        const code = await mailedCode(server.url, owner.email, SIGN_UP_SUBJECT);
        await waitFor(() => server.logs.some((l) => l.includes(`its code: ${code}`)), 'the log line');
        const line = server.logs.find((l) => l.includes(`its code: ${code}`))!;
        const file = /saved in (\S+\.eml)/.exec(JSON.parse(line).msg as string)?.[1];
        assert.ok(file && readFileSync(file, 'utf8').includes(owner.email));
        const dir = testConfig(store).mail.transport;
        assert.equal(dir.kind, 'mailbox');
        assert.ok((await mailboxContents(dir.dir)).some((m) => m.to.includes(owner.email)));
      } finally {
        await server.close();
      }
    });
  },
  ['sqlite'],
);
