import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../server/config/config.js';

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

  it('switches to PostgreSQL for a postgres:// DATABASE_URL', () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@db/latch' }).store, { kind: 'postgres', url: 'postgres://u:p@db/latch' });
  });

  for (const [env, message] of [
    [{ PORT: 'eighty' }, /^Invalid PORT: /],
    [{ PORT: '70000' }, /^Invalid PORT: PORT must be between 0 and 65535$/],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid DATABASE_URL: DATABASE_URL must be a postgres:\/\/ URL$/],
    [{ LATCH_IDLE_TIMEOUT_DAYS: '0' }, /^Invalid LATCH_IDLE_TIMEOUT_DAYS: /],
    [{ LATCH_IDLE_TIMEOUT_DAYS: '100' }, /must not exceed LATCH_SESSION_LIFETIME_DAYS/],
    [{ LATCH_LOG_LEVEL: 'loud' }, /^Invalid LATCH_LOG_LEVEL: /],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && message.test(error.message));
    });
  }

  it('stops `npm run server` with that one line and exit code 1', () => {
    const main = fileURLToPath(new URL('../../server/main.js', import.meta.url));
    const result = spawnSync(process.execPath, [main], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^latch-server: Invalid PORT: PORT must be a number\n$/);
  });
});
