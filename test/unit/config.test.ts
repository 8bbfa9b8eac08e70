import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, SecretKeyMissing } from '../../server/authenticator/secret-box.js';
import { sharedHostWarning } from '../../server/http/browser.js';
import { nodeVersionProblem } from '../../server/common/node-version.js';
import { nativeModuleProblem } from '../../server/storage/database.js';
import { ConfigError, defaultMaxSockets, EnvSchema, loadConfig, openFileLimit, OTHER_LATCH_VARIABLES, SERVER_VARIABLES } from '../../server/config/config.js';

describe('server configuration', () => {
  it('defaults to loopback on port 4000 with a SQLite file in the data folder', () => {
    const config = loadConfig({ LATCH_DATA_DIR: '/data/latch' });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 4000);
    assert.deepEqual(config.store, { kind: 'sqlite', file: '/data/latch/latch.sqlite' });
    assert.equal(config.sessions.idleTimeoutMs, 14 * 86_400_000);
    assert.equal(config.sessions.lifetimeMs, 90 * 86_400_000);
    assert.equal(config.sessions.maxSessionsPerUser, 50);
  });

  it('trusts no proxy by default, or the nearest N hops, or proxies at given addresses and ranges', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ LATCH_TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ LATCH_TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ LATCH_TRUST_PROXY: '10.0.0.5, 10.0.1.0/24,::1' }).trustProxy, ['10.0.0.5', '10.0.1.0/24', '::1']);
  });

  it('takes sign-ups unless closed, allowed hosts for a public bind, and a socket ceiling below the descriptor limit', () => {
    // Not set: the operator's choice kept in the database decides (open until one is made).
    assert.equal(loadConfig({}).registration, undefined);
    assert.equal(loadConfig({ LATCH_REGISTRATION: 'closed' }).registration, 'closed');
    assert.equal(loadConfig({}).locations, 'dbip');
    assert.equal(loadConfig({ LATCH_LOCATIONS: 'off' }).locations, 'off');
    assert.equal((loadConfig({ DATABASE_URL: 'postgres://latch@db/latch', LATCH_PG_POOL_SIZE: '40' }).store as { poolSize: number }).poolSize, 40);
    assert.deepEqual(loadConfig({ LATCH_ALLOWED_HOSTS: 'Latch.Example.com, latch.example.com:8443' }).allowedHosts, ['latch.example.com', 'latch.example.com:8443']);
    assert.equal(loadConfig({ LATCH_MAX_SOCKETS: '5000' }).sockets.total, 5000);
    assert.deepEqual(
      { perSession: loadConfig({}).sockets.perSession, perAccount: loadConfig({}).sockets.perAccount, perAddress: loadConfig({}).sockets.perAddress },
      { perSession: 2, perAccount: 100, perAddress: 512 },
    );
    assert.equal(loadConfig({ LATCH_MAX_SOCKETS_PER_ADDRESS: '5000' }).sockets.perAddress, 5000);
    assert.equal(defaultMaxSockets(20_000), 18_000);
    assert.equal(defaultMaxSockets(1_024), 768);
    assert.equal(defaultMaxSockets(undefined), 10_000);
    const limit = openFileLimit();
    if (limit !== undefined) assert.ok(loadConfig({}).sockets.total < limit);
  });

  it('uses the production argon2id parameters by default (19 MiB, two passes, one lane): the tests use cheaper ones', () => {
    const { memoryCost, timeCost, parallelism } = loadConfig({}).passwords;
    assert.deepEqual({ memoryCost, timeCost, parallelism }, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it('seals authenticator secrets with LATCH_SECRET_KEY (base64 or hex of 32 bytes), else a key file it makes in the data folder, readable by its user only', () => {
    assert.deepEqual(loadConfig({ LATCH_DATA_DIR: '/data/latch' }).secretKey, { key: undefined, previous: undefined, file: '/data/latch/secret.key' });
    const base64 = randomBytes(32).toString('base64');
    const hex = randomBytes(32).toString('hex');
    assert.deepEqual(loadConfig({ LATCH_SECRET_KEY: base64, LATCH_SECRET_KEY_PREVIOUS: hex }).secretKey.key, base64);
    for (const bad of ['secret', randomBytes(16).toString('base64'), randomBytes(31).toString('hex')]) {
      assert.throws(() => loadConfig({ LATCH_SECRET_KEY: bad }), /^Error: Invalid LATCH_SECRET_KEY: LATCH_SECRET_KEY must be 32 random bytes, as 64 hex digits or in base64 \(openssl rand -base64 32\)$/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'latch-key-'));
    try {
      const file = join(dir, 'data', 'secret.key');
      const box = new SecretBox({ key: undefined, previous: undefined, file });
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const sealed = box.seal('JBSWY3DPEHPK3PXP', 'account-1');
      assert.ok(!sealed.includes('JBSWY3DPEHPK3PXP'));
      // The same file, read again by another start (or instance), opens it; another account's row does not.
      assert.equal(new SecretBox({ key: undefined, previous: undefined, file }).open(sealed, 'account-1'), 'JBSWY3DPEHPK3PXP');
      assert.throws(() => box.open(sealed, 'account-2'));
      // A tag cut short (GCM would check its first bytes only) is refused, as is one bit changed.
      const parts = sealed.split('.');
      const shortTag = [...parts.slice(0, 3), Buffer.from(parts[3]!, 'base64url').subarray(0, 4).toString('base64url'), parts[4]].join('.');
      assert.throws(() => box.open(shortTag, 'account-1'), /tag of the wrong length/);
      const body = Buffer.from(parts[4]!, 'base64url');
      body[0]! ^= 1;
      assert.throws(() => box.open([...parts.slice(0, 4), body.toString('base64url')].join('.'), 'account-1'));
      // A server with another key says which key it lacks and what to set.
      assert.throws(() => new SecretBox({ key: base64, previous: undefined, file: '' }).open(sealed, 'account-1'), (error: Error) => error instanceof SecretKeyMissing && /every instance needs the same LATCH_SECRET_KEY/.test(error.message));
      // A rotation: the old key as previous opens it, and it is sealed again under the new one.
      const rotated = new SecretBox({ key: base64, previous: readFileSync(file, 'utf8'), file: '' });
      const resealed = rotated.reseal(sealed, 'account-1')!;
      assert.ok(resealed.startsWith(rotated.sealPrefix));
      assert.equal(new SecretBox({ key: base64, previous: undefined, file: '' }).open(resealed, 'account-1'), 'JBSWY3DPEHPK3PXP');
      assert.equal(rotated.reseal(resealed, 'account-1'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('binds passkeys to LATCH_RP_ID and LATCH_RP_ORIGINS, else to LATCH_PUBLIC_URL, else to localhost; an origin off the RP ID is refused', () => {
    assert.deepEqual(loadConfig({ PORT: '4000' }).passkeys, { rpId: 'localhost', origins: ['http://localhost:4000'] });
    assert.deepEqual(loadConfig({ LATCH_PUBLIC_URL: 'https://latch.example.com/' }).passkeys, { rpId: 'latch.example.com', origins: ['https://latch.example.com'] });
    assert.deepEqual(loadConfig({ LATCH_RP_ID: 'example.com', LATCH_RP_ORIGINS: 'https://latch.example.com, https://example.com' }).passkeys, {
      rpId: 'example.com',
      origins: ['https://latch.example.com', 'https://example.com'],
    });
    assert.throws(() => loadConfig({ LATCH_RP_ID: 'example.com', LATCH_RP_ORIGINS: 'https://example.org' }), /^Error: Invalid LATCH_RP_ORIGINS: https:\/\/example.org is not on example.com \(LATCH_RP_ID\) or below it$/);
    assert.throws(() => loadConfig({ LATCH_RP_ORIGINS: 'https://latch.example.com/account' }), /is not an origin/);
    assert.throws(() => loadConfig({ LATCH_RP_ID: '127.0.0.1' }), /LATCH_RP_ID must be a host name/);
  });

  it('switches to PostgreSQL for a postgres:// DATABASE_URL', () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@db/latch' }).store, {
      kind: 'postgres',
      url: 'postgres://u:p@db/latch',
      poolSize: 10,
      timeouts: { statementMs: 10_000, lockMs: 5_000, idleInTransactionMs: 60_000 },
    });
    const tight = loadConfig({ DATABASE_URL: 'postgres://u:p@db/latch', LATCH_PG_STATEMENT_TIMEOUT_MS: '2000', LATCH_PG_LOCK_TIMEOUT_MS: '250', LATCH_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '9000' });
    assert.deepEqual((tight.store as { timeouts: unknown }).timeouts, { statementMs: 2_000, lockMs: 250, idleInTransactionMs: 9_000 });
  });

  for (const [env, message] of [
    [{ PORT: 'eighty' }, /^Invalid PORT: /],
    [{ PORT: '70000' }, /^Invalid PORT: PORT must be between 0 and 65535$/],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid DATABASE_URL: DATABASE_URL must be a postgres:\/\/ URL$/],
    [{ LATCH_IDLE_TIMEOUT_DAYS: '0' }, /^Invalid LATCH_IDLE_TIMEOUT_DAYS: /],
    [{ LATCH_IDLE_TIMEOUT_DAYS: '100' }, /must not exceed LATCH_SESSION_LIFETIME_DAYS/],
    [{ LATCH_LOG_LEVEL: 'loud' }, /^Invalid LATCH_LOG_LEVEL: /],
    [{ LATCH_TRUST_PROXY: 'true' }, /^Invalid LATCH_TRUST_PROXY: "true" would trust every hop/],
    [{ LATCH_TRUST_PROXY: '10.0.0.0/33' }, /^Invalid LATCH_TRUST_PROXY: "10.0.0.0\/33" is neither/],
    [{ LATCH_TRUST_PROXY: 'proxy.local' }, /^Invalid LATCH_TRUST_PROXY: "proxy.local" is neither/],
    [{ LATCH_REGISTRATION: 'invite' }, /^Invalid LATCH_REGISTRATION: LATCH_REGISTRATION must be open or closed$/],
    [{ LATCH_LOCATIONS: 'maxmind' }, /^Invalid LATCH_LOCATIONS: LATCH_LOCATIONS must be dbip or off$/],
    [{ LATCH_ALLOWED_HOSTS: 'latch.example.com, evil/path' }, /^Invalid LATCH_ALLOWED_HOSTS: "evil\/path"/],
    [{ LATCH_MAX_SOCKETS: '0' }, /^Invalid LATCH_MAX_SOCKETS: /],
    [{ LATCH_PG_POOL_SIZE: '0' }, /^Invalid LATCH_PG_POOL_SIZE: LATCH_PG_POOL_SIZE must be between 1 and 1000$/],
    // Numbers are plain decimal digits: not hex, not exponents, not fractions.
    [{ PORT: '0x1F90' }, /^Invalid PORT: PORT must be a whole number written in digits$/],
    [{ PORT: '4e3' }, /^Invalid PORT: PORT must be a whole number written in digits$/],
    [{ LATCH_MAX_SESSIONS: '2.5' }, /^Invalid LATCH_MAX_SESSIONS: LATCH_MAX_SESSIONS must be a whole number written in digits$/],
    [{ LATCH_MAX_SESSIONS: '-1' }, /^Invalid LATCH_MAX_SESSIONS: /],
    // Durations have an upper bound, so no session can get a date a timestamp cannot hold (a 500 at sign-in before).
    [{ LATCH_SESSION_LIFETIME_DAYS: '1000000000' }, /^Invalid LATCH_SESSION_LIFETIME_DAYS: LATCH_SESSION_LIFETIME_DAYS must be between 1 and 3650$/],
    [{ LATCH_IDLE_TIMEOUT_DAYS: '99999' }, /^Invalid LATCH_IDLE_TIMEOUT_DAYS: LATCH_IDLE_TIMEOUT_DAYS must be between 1 and 3650$/],
    // A misspelled setting would leave its default standing without a word (sign-up open, say).
    [{ LATCH_REGISTRATON: 'closed' }, /^LATCH_REGISTRATON is not a Latch setting; did you mean LATCH_REGISTRATION\?$/],
    [{ LATCH_MAX_SESSION: '5' }, /^LATCH_MAX_SESSION is not a Latch setting; did you mean LATCH_MAX_SESSIONS\?$/],
    [{ LATCH_ALLOWED_HOST: 'latch.example.com' }, /^LATCH_ALLOWED_HOST is not a Latch setting; did you mean LATCH_ALLOWED_HOSTS\?$/],
    [{ LATCH_TRUST_PROXIES: '1' }, /^LATCH_TRUST_PROXIES is not a Latch setting; did you mean LATCH_TRUST_PROXY\?$/],
    [{ LATCH_COLOUR: 'blue' }, /^LATCH_COLOUR is not a Latch setting \(the settings are listed in README\.md, "The server"\)$/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && message.test(error.message));
    });
  }

  it('warns at start when the account page would share a host name with other ports (cookies do not separate ports)', () => {
    assert.equal(sharedHostWarning(undefined), undefined);
    assert.equal(sharedHostWarning(['latch.example.com', 'latch.example.com:443']), undefined);
    assert.match(sharedHostWarning(['latch.example.com', 'example.com:8443'])!, /^LATCH_ALLOWED_HOSTS names example\.com:8443: .* Give Latch a host name of its own \(docs\/operations\.md, "A host name of its own"\)\.$/);
  });

  it('refuses a Node.js older than it runs on with one line that says which it needs, which it got, and what to do', () => {
    assert.equal(nodeVersionProblem('v20.19.0'), undefined);
    assert.equal(nodeVersionProblem('v22.12.0'), undefined);
    assert.equal(
      nodeVersionProblem('v18.19.0', '/usr/bin/node'),
      "Latch's server needs Node.js 20.19 or newer; this is v18.19.0 (/usr/bin/node). Install a newer Node.js, then run `npm rebuild` where Latch is installed.",
    );
    assert.match(nodeVersionProblem('v20.18.3')!, /needs Node\.js 20\.19/);
  });

  it('names a native module built for another Node.js as that, not as a data-folder problem', () => {
    const error = Object.assign(new Error('The module better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 127.'), { code: 'ERR_DLOPEN_FAILED' });
    assert.match(nativeModuleProblem(error)!, /^better-sqlite3 was built for another version of Node\.js than this one \(v\d+[^)]*\): run `npm rebuild better-sqlite3` with this Node\.js/);
    assert.equal(nativeModuleProblem(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })), undefined);
  });

  it('lets be the LATCH_ variables that the desktop app and the tests read', () => {
    const others = Object.fromEntries(OTHER_LATCH_VARIABLES.map((name) => [name, '1']));
    assert.deepEqual(loadConfig(others), loadConfig({}));
  });

  it('README.md lists every setting the server reads, and nothing it does not', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const table = readme.slice(readme.indexOf('## The server'), readme.indexOf('## Documents'));
    const listed = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    assert.deepEqual([...listed].sort(), [...SERVER_VARIABLES].sort());
  });

  it('reads an empty value as unset, for every variable', () => {
    const empty = Object.fromEntries(Object.keys(EnvSchema.shape).map((name) => [name, '']));
    const config = loadConfig({ ...empty, XDG_DATA_HOME: '' });
    const defaults = loadConfig({});
    assert.deepEqual(config, defaults);
    assert.equal(config.port, 4000, 'PORT= is the default port, not a random one');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.sessions.idleTimeoutMs, 14 * 86_400_000);
    assert.ok(config.store.kind === 'sqlite' && config.store.file.startsWith('/'), 'an empty XDG_DATA_HOME does not make the data folder relative');
  });

  it('takes a number with spaces around it, and the longest durations allowed still sign in', () => {
    assert.equal(loadConfig({ PORT: ' 8080 ' }).port, 8080);
    const longest = loadConfig({ LATCH_SESSION_LIFETIME_DAYS: '3650', LATCH_IDLE_TIMEOUT_DAYS: '3650' });
    assert.ok(Number.isFinite(new Date(Date.now() + longest.sessions.lifetimeMs).getTime()));
  });

});
