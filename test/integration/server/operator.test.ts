// The operator's tool (server/admin/cli.ts) as an operator runs it: its own process, the server's settings in
// its environment, beside a real server on SQLite and on PostgreSQL. The four tasks of docs/operations.md are
// run exactly as written there; then what a disabled account can no longer do, the answers a script relies on,
// sign-up opened and closed, a SQLite store with no server running, and two instances on one PostgreSQL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { codeIn, mailboxes, mailedCode, sentTo, waitForMail } from '../../../kit/mailbox.js';
import { EventSocket, Http, PASSWORD, device, login, register, uniqueEmail } from '../../../kit/http.js';
import { startPostgres } from '../../../kit/postgres.js';
import type { StoreConfig } from '../../../server/config/config.js';
import { startTestServer, tempSqlite, type TestServer } from '../../support/server.js';
import { forEachStore } from '../../support/stores.js';
import { Secret, TOTP } from 'otpauth';
import { waitFor } from '../../support/wait.js';

const root = new URL('../../../..', import.meta.url).pathname;
const CLI = join(root, 'dist/server/admin/cli.js');
const home = mkdtempSync(join(tmpdir(), 'latch-operator-'));
after(() => rmSync(home, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The server's settings as the tool reads them: where the store is, and nothing else of this process's. */
const envOf = (store: StoreConfig, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  ...(store.kind === 'sqlite' ? { LATCH_DATA_DIR: dirname(store.file) } : { DATABASE_URL: store.url }),
  ...extra,
});

/** Not spawnSync: the server that hears the tool runs in this process. */
function spawned(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env });
    const run: Run = { status: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (run.stdout += chunk));
    child.stderr.on('data', (chunk) => (run.stderr += chunk));
    child.on('close', (status) => resolve({ ...run, status }));
  });
}

const admin = (store: StoreConfig, args: string[], extra: Record<string, string> = {}) => spawned(process.execPath, [CLI, ...args], envOf(store, extra));

/** The ```sh block of one task in docs/operations.md, with `latch-admin` the tool and the example address replaced. */
function task(title: string, email: string): string {
  const doc = readFileSync(join(root, 'docs/operations.md'), 'utf8');
  const start = doc.indexOf(`#### ${title}\n`);
  assert.ok(start > 0, `docs/operations.md has "${title}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(start))![1]!;
  return `latch-admin() { node "${CLI}" "$@"; }\n${block.replaceAll('ann@example.com', email)}`;
}

const runTask = (store: StoreConfig, title: string, email: string, extra: Record<string, string> = {}) =>
  spawned('bash', ['-c', `set -euo pipefail\n${task(title, email)}`], envOf(store, extra));

forEachStore('the operator’s tool', (ctx) => {
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const sockets: EventSocket[] = [];
  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store);
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });
  const listen = async (token: string) => {
    const socket = await EventSocket.open(server.url, token);
    sockets.push(socket);
    return socket;
  };

  it('a lost laptop, as docs/operations.md walks it: the laptop is told at once, the phone stays, a reset code is mailed', async () => {
    const laptop = await register(http, uniqueEmail('ann'), 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const [onLaptop, onPhone] = [await listen(laptop.token), await listen(phone.token)];

    const heard = onPhone.count('sessions.changed');
    const run = await runTask(store, 'A lost laptop', laptop.email, { LAPTOP_ID: laptop.session.id });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`${laptop.email}: 2 active sessions\\nSESSION ID +DEVICE +OS +PLACE +LAST ACTIVE +ONLINE\\n`));
    assert.match(run.stdout, new RegExp(`${laptop.session.id} +Work laptop +Linux +This computer, 127\\.0\\.0\\.1 .* yes\\n`));
    assert.match(run.stdout, new RegExp(`Signed out 1 device of ${laptop.email}: 'Work laptop'\\n`));
    assert.match(run.stdout, /A reset code is queued for/);
    assert.match(run.stdout, /The server's operator signed out 'Work laptop'/);

    const told = await onLaptop.next('session.revoked');
    assert.equal(told.reason, 'revoked_by_operator');
    const refused = await http.get('/v1/auth/session', laptop.token);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.reason, 'revoked_by_operator');
    assert.equal((await http.get('/v1/auth/session', phone.token)).status, 200, 'the phone stays signed in');
    await waitFor(() => onPhone.count('sessions.changed') > heard, 'the phone’s list hears it');

    // The mail names the operator and links to the code's form: the owner sets a new password with it.
    const mail = await waitForMail(mailboxes.get(server.url)!, (m) => sentTo(m, laptop.email) && /password reset code/.test(m.subject));
    assert.match(mail.text, /Your Latch server's operator sent you this code/);
    const link = /\/account#reset=([^&\s]+)&email=(\S+)/.exec(mail.text);
    assert.ok(link, mail.text);
    assert.equal(decodeURIComponent(link[2]!), laptop.email);
    const reset = await http.post('/v1/auth/password-reset/confirm', { id: decodeURIComponent(link[1]!), code: codeIn(mail), password: 'a new passphrase now', device: device('New laptop') });
    assert.equal(reset.status, 200, reset.text);
    assert.equal((await onPhone.nextWhere('session.revoked', (m) => m.sessionId === phone.session.id)).reason, 'password_reset');
  });

  it('someone leaves: disabled, every device is signed out at once and nothing lets it back in; enabled, it signs in again', async () => {
    const laptop = await register(http, uniqueEmail('leaver'), 'Work laptop');
    const phone = await login(http, laptop.email, 'Phone');
    const sockets = [await listen(laptop.token), await listen(phone.token)];
    // A reset code asked for before: it ends with the account's sessions.
    const earlier = await http.post('/v1/auth/password-reset', { email: laptop.email });
    const earlierCode = await mailedCode(server.url, laptop.email, /password reset code/);

    const run = await runTask(store, 'Someone leaves', laptop.email);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `Disabled ${laptop.email}: 2 devices signed out; it cannot sign in until it is enabled (account enable ${laptop.email})\n${laptop.email}: 0 active sessions (the account is disabled)\n`);
    for (const socket of sockets) assert.equal((await socket.nextWhere('session.revoked', () => true)).reason, 'account_disabled');
    const ended = await http.get('/v1/auth/session', phone.token);
    assert.equal(ended.body.error.reason, 'account_disabled');
    assert.equal((await http.post('/v1/auth/rotate', { claim: 'c'.repeat(43) }, phone.token)).status, 401, 'no rotation');
    assert.equal((await http.post('/v1/auth/reauth', { password: PASSWORD }, phone.token)).status, 401, 'no re-authentication');
    await assert.rejects(EventSocket.open(server.url, phone.token), /401/, 'no socket');

    const signIn = await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('Again') });
    assert.equal(signIn.status, 403);
    assert.equal(signIn.body.error.code, 'account_disabled');
    assert.match(signIn.body.error.message, /disabled by the server's operator/);
    const wrong = await http.post('/v1/auth/login', { email: laptop.email, password: 'not it', device: device('Again') });
    assert.equal(wrong.body.error.code, 'invalid_credentials', 'only the password’s holder is told');
    const reset = await http.post('/v1/auth/password-reset/confirm', { id: earlier.body.codeSent.id, code: earlierCode, password: 'a new passphrase now', device: device('Again') });
    assert.equal(reset.status, 410, 'a reset does not open it either');
    // Asked for now, a reset is answered as for any address, and no code is mailed that its reset would refuse.
    assert.equal((await http.post('/v1/auth/password-reset', { email: laptop.email })).status, 202);
    const refusedReset = await admin(store, ['reset', 'send', laptop.email]);
    assert.deepEqual([refusedReset.status, refusedReset.stderr], [1, `latch-admin: ${laptop.email} is disabled: enable it first (account enable ${laptop.email})\n`]);

    const enabled = await admin(store, ['account', 'enable', laptop.email]);
    assert.equal(enabled.stdout, `Enabled ${laptop.email}: it can sign in again\n`);
    assert.equal((await http.post('/v1/auth/login', { email: laptop.email, password: PASSWORD, device: device('Again') })).status, 200);
    const events = await admin(store, ['events', laptop.email, '--json']);
    const types = (JSON.parse(events.stdout) as { events: Array<{ type: string }> }).events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 3), ['signed_in', 'account_enabled', 'account_disabled']);
  });

  it('a disabled account with sign-in approval on answers its right password as any other: 202, a request no device sees', async () => {
    const owner = await register(http, uniqueEmail('careful'), 'Work laptop');
    assert.equal((await http.request('PUT', '/v1/account/sign-in-approval', { json: { required: true, password: PASSWORD }, token: owner.token })).status, 200);
    assert.equal((await admin(store, ['account', 'disable', owner.email])).status, 0);
    const right = await http.post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('X') });
    const wrong = await http.post('/v1/auth/login', { email: owner.email, password: 'not it', device: device('X') });
    assert.deepEqual([right.status, wrong.status], [202, 202], 'no oracle for the password');
    assert.deepEqual(Object.keys(right.body.pending).sort(), Object.keys(wrong.body.pending).sort());
  });

  it('a compromised account, as docs/operations.md walks it: shut, its events read, enabled again with a reset code mailed', async () => {
    const owner = await register(http, uniqueEmail('compromised'), 'Work laptop');
    const socket = await listen(owner.token);
    const run = await runTask(store, 'A compromised account', owner.email);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /The server's operator disabled the account; 1 device signed out/);
    assert.match(run.stdout, new RegExp(`Enabled ${owner.email}: it can sign in again\\nA reset code is queued for ${owner.email}`));
    assert.equal((await socket.next('session.revoked')).reason, 'account_disabled');
    assert.match(await mailedCode(server.url, owner.email, /password reset code/), /^\d{6}$/);
  });

  it('a lost phone, as docs/operations.md walks it: the codes go, a sign-in waiting for one ends, and the password alone signs in', async () => {
    const owner = await register(http, uniqueEmail('phone'), 'Work laptop');
    const setup = (await http.post('/v1/account/authenticator/setup', { password: PASSWORD }, owner.token)).body as { secret: string };
    const code = new TOTP({ secret: Secret.fromBase32(setup.secret) }).generate();
    assert.equal((await http.post('/v1/account/authenticator/confirm', { code }, owner.token)).status, 200);
    const waiting = await http.post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('New phone') });
    assert.equal(waiting.status, 202);
    const onLaptop = await listen(owner.token);

    const run = await runTask(store, 'A lost phone', owner.email);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Turned off authenticator codes for ${owner.email}: the password alone signs it in now\\.`));
    assert.match(run.stdout, /The server's operator turned authenticator app codes off/);
    assert.equal((await onLaptop.nextWhere('account.changed', (m) => m.change.what === 'authenticator_turned_off')).change.byDeviceName, 'Server operator');
    assert.equal((await http.post('/v1/auth/login/second-factor', { id: waiting.body.secondFactor.id, code: '123456' })).status, 410, 'the waiting sign-in has ended');
    assert.equal((await http.post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('New phone') })).status, 200);
    const again = await admin(store, ['account', 'codes-off', owner.email]);
    assert.equal(again.stdout, `${owner.email} had no authenticator codes on: nothing changed\n`);
  });

  it('answers a script can use: a table or JSON, one line and an exit code for what it cannot do', async () => {
    const [one, two] = [await register(http, `twin-a-${Date.now()}@example.test`), await register(http, `twin-b-${Date.now()}@example.test`)];
    const underscored = await register(http, `under_score-${Date.now()}@example.test`);
    const search = await admin(store, ['accounts', 'find', 'under_score']);
    assert.match(search.stdout, new RegExp(underscored.email), 'an _ in the search is an _, not any character, on both stores');
    const found = await admin(store, ['accounts', 'find', 'twin-', '--json']);
    assert.equal(found.status, 0, found.stderr);
    const accounts = (JSON.parse(found.stdout) as { accounts: Array<{ email: string; sessions: number; verified: boolean }> }).accounts;
    assert.deepEqual(accounts.filter((a) => [one.email, two.email].includes(a.email)).map((a) => [a.sessions, a.verified]), [[1, true], [1, true]]);

    const unknown = await admin(store, ['sessions', 'list', 'nobody@example.test']);
    assert.deepEqual([unknown.status, unknown.stdout, unknown.stderr], [3, '', 'latch-admin: no account has the address nobody@example.test\n']);
    const ambiguous = await admin(store, ['account', 'disable', 'twin-']);
    assert.equal(ambiguous.status, 4);
    assert.match(ambiguous.stderr, /^latch-admin: no account has the address twin-; \d+ contain it \(.*twin-a-.*\): give the whole address\n$/);
    assert.equal((await http.get('/v1/auth/session', one.token)).status, 200, 'nothing was disabled');
    const noSuchSession = await admin(store, ['sessions', 'end', one.email, 'not-a-session']);
    assert.equal(noSuchSession.status, 3);
    const usage = await admin(store, ['sessions', 'end', one.email]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /either --all or one session id/);
    const typo = await admin(store, ['accounts', 'find', 'x'], { LATCH_REGISTRATON: 'closed' });
    assert.equal(typo.status, 2, 'the environment is checked as the server checks it');
    assert.match(typo.stderr, /LATCH_REGISTRATON/);
    const allAndMore = await admin(store, ['sessions', 'end', one.email, 'a-typo', '--all']);
    assert.equal(allAndMore.status, 2, 'an id as well as --all is a mistake, never "all"');
    assert.equal((await http.get('/v1/auth/session', one.token)).status, 200);
    const year = await admin(store, ['events', one.email, '--since', '7']);
    assert.equal(year.status, 2, 'a bare number is not read as a year');
    const controlled = await admin(store, ['sessions', 'list', 'ann\u001b[31m@example.test']);
    assert.equal(controlled.stderr, 'latch-admin: no account has the address ann?[31m@example.test\n', 'no control character reaches the terminal');
    const runs = [unknown, ambiguous, noSuchSession, usage, typo, allAndMore, year, controlled];
    if (store.kind === 'sqlite') {
      const elsewhere = join(home, 'not-the-data-folder');
      const misplaced = await admin({ kind: 'sqlite', file: join(elsewhere, 'latch.sqlite') }, ['registration']);
      assert.equal(misplaced.status, 1);
      assert.match(misplaced.stderr, /no Latch database at .*not-the-data-folder\/latch\.sqlite: set LATCH_DATA_DIR/);
      assert.ok(!existsSync(elsewhere), 'no new database was made there');
      runs.push(misplaced);
    }
    for (const run of runs) assert.doesNotMatch(run.stderr, /\n\s+at /, 'never a stack trace');
  });

  it('closes and opens sign-up at once, kept in the database; a server started with LATCH_REGISTRATION keeps to it, and the tool says so', async () => {
    // A sign-up under way when it closes makes no account.
    const lateEmail = uniqueEmail('late');
    const begun = await http.post('/v1/auth/register', { email: lateEmail, password: PASSWORD, device: device('X') });
    assert.equal(begun.status, 202);
    const lateCode = await mailedCode(server.url, lateEmail, /is your Latch code$/);
    assert.equal((await admin(store, ['registration', 'closed'])).stdout, 'Sign-up is closed: nobody may sign up\n');
    const late = await http.post('/v1/auth/register/verify', { id: begun.body.codeSent.id, code: lateCode });
    assert.equal(late.status, 403);
    assert.equal(late.body.error.code, 'registration_closed');
    const refused = await http.post('/v1/auth/register', { email: uniqueEmail(), password: PASSWORD, device: device('X') });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'registration_closed');
    // A server started with the variable set: the tool's own environment does not decide what it says.
    const pinned = await startTestServer(store, { config: { registration: 'closed' } });
    await pinned.close();
    const overridden = await admin(store, ['registration', 'open'], { LATCH_REGISTRATION: 'open' });
    assert.equal(
      overridden.stdout,
      'Saved, but sign-up stays closed: nobody may sign up, because the server was started with LATCH_REGISTRATION set, which wins over this setting\n' +
        '(LATCH_REGISTRATION=open in this shell changes nothing: a server reads its own at start.)\n',
    );
    const unpinned = await startTestServer(store);
    await unpinned.close();
    assert.equal((await admin(store, ['registration'])).stdout, 'Sign-up is open: anyone who reaches the server may sign up\n');
    assert.equal((await http.post('/v1/auth/register', { email: uniqueEmail(), password: PASSWORD, device: device('X') })).status, 202, 'the saved choice holds at once');
  });
});

describe('the operator’s tool on SQLite with no server running', () => {
  it('changes the store and says the devices learn of it when they next reach a server', async () => {
    const sqlite = tempSqlite();
    try {
      let server = await startTestServer(sqlite.store);
      const owner = await register(new Http(server.url), uniqueEmail('offline'), 'Work laptop');
      await server.close();
      const run = await admin(sqlite.store, ['sessions', 'end', owner.email, '--all']);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `Signed out 1 device of ${owner.email}: 'Work laptop'\n(No server answered on this data folder: one that runs on it sees the change within a second; devices learn of it when they next reach one.)\n`);
      server = await startTestServer(sqlite.store);
      try {
        const refused = await new Http(server.url).get('/v1/auth/session', owner.token);
        assert.equal(refused.body.error.reason, 'revoked_by_operator');
      } finally {
        await server.close();
      }
    } finally {
      sqlite.dispose();
    }
  });
});

describe('the operator’s tool and a database it cannot reach', () => {
  it('says so in one line and exits 1', async () => {
    const run = await admin({ kind: 'postgres', url: 'postgres://latch:secret@127.0.0.1:1/latch' }, ['accounts', 'find', 'ann']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^latch-admin: PostgreSQL at 127\.0\.0\.1:1\/latch \(DATABASE_URL\): .*ECONNREFUSED.*\n$/);
    assert.doesNotMatch(run.stderr, /secret/, 'not the password in the URL');
  });
});

describe('a SQLite server whose operator socket is gone', () => {
  it('still sees what the tool changed within a second: its cached session fails and the device is told', async () => {
    const sqlite = tempSqlite();
    const server = await startTestServer(sqlite.store);
    try {
      const http = new Http(server.url);
      const owner = await register(http, uniqueEmail('nosocket'), 'Work laptop');
      for (let i = 0; i < 2; i++) assert.equal((await http.get('/v1/auth/session', owner.token)).status, 200, 'cached');
      const socket = await EventSocket.open(server.url, owner.token);
      rmSync(join(sqlite.dir, 'operator.sock'));
      const run = await admin(sqlite.store, ['sessions', 'end', owner.email, '--all']);
      assert.match(run.stdout, /No server answered on this data folder/);
      assert.equal((await socket.next('session.revoked')).reason, 'revoked_by_operator');
      assert.equal((await http.get('/v1/auth/session', owner.token)).status, 401);
      socket.close();
    } finally {
      await server.close();
      sqlite.dispose();
    }
  });
});

describe('the operator’s tool across two instances on one PostgreSQL', () => {
  it('a session cached on the other instance fails at once, and its device there is told', async () => {
    const postgres = await startPostgres();
    const store: StoreConfig = { kind: 'postgres', url: await postgres.newDatabase() };
    const a = await startTestServer(store);
    const b = await startTestServer(store);
    try {
      const owner = await register(new Http(a.url), uniqueEmail('two'), 'Work laptop');
      const onB = new Http(b.url);
      // Checked on B twice: the second answer comes from B's cache.
      for (let i = 0; i < 2; i++) assert.equal((await onB.get('/v1/auth/session', owner.token)).status, 200);
      const socket = await EventSocket.open(b.url, owner.token);
      try {
        const run = await admin(store, ['account', 'disable', owner.email]);
        assert.equal(run.status, 0, run.stderr);
        assert.equal((await socket.next('session.revoked')).reason, 'account_disabled');
        // Once the tool has exited, its commit and NOTIFY are done: B has dropped the cached session.
        const checked = await onB.get('/v1/auth/session', owner.token);
        assert.equal(checked.status, 401);
        assert.equal(checked.body.error.reason, 'account_disabled');
      } finally {
        socket.close();
      }
      await waitFor(async () => (await new Http(a.url).post('/v1/auth/login', { email: owner.email, password: PASSWORD, device: device('X') })).status === 403, 'A refuses the sign-in too');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
