// docs/api.md's examples, run top to bottom in bash against a real server, so
// the walkthrough cannot drift from the API: every curl fails the run on an
// HTTP error (-f), and the listener must hear its own sign-out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestServer, tempSqlite, testConfig, type TestServer } from '../support/server.js';

const root = new URL('../../..', import.meta.url).pathname;

/** The ```sh blocks of the Routes section, in order. */
function walkthrough(): string {
  const doc = readFileSync(`${root}docs/api.md`, 'utf8');
  const routes = doc.slice(doc.indexOf('## Routes\n'), doc.indexOf('## Sessions\n'));
  return [...routes.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

describe('docs/api.md walkthrough', () => {
  const sqlite = tempSqlite();
  let server: TestServer;
  before(async () => {
    server = await startTestServer(sqlite.store);
  });
  after(async () => {
    await server?.close();
    sqlite.dispose();
  });

  it('runs top to bottom against a real server', { timeout: 60_000 }, async () => {
    const script = walkthrough();
    assert.ok(script.includes('/v1/auth/register') && script.includes('/v1/events'), 'the walkthrough was found');
    // Not spawnSync: the server answering the walkthrough runs in this process.
    const mailbox = testConfig(sqlite.store).mail.transport;
    assert.equal(mailbox.kind, 'mailbox');
    const bash = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { cwd: root, env: { ...process.env, S: server.url, MAILBOX: mailbox.dir } });
    const run = { stdout: '', stderr: '', status: null as number | null };
    bash.stdout.on('data', (chunk) => (run.stdout += chunk));
    bash.stderr.on('data', (chunk) => (run.stderr += chunk));
    run.status = await new Promise((resolve) => bash.on('close', resolve));
    assert.equal(run.status, 0, `the walkthrough stopped:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^3\.1\.1 with \d+ paths$/m);
    assert.match(run.stdout, /Work laptop \(this device\), Home desktop/);
    assert.match(run.stdout, /"type":"session\.revoked".*"reason":"revoked_by_user".*"by":\{"deviceName":"Ada’s laptop"/);
    assert.match(run.stdout, /closed with 4001/);
    assert.match(run.stdout, /Old phone: revoked_by_user, Home desktop: revoked_by_user/);
    assert.match(run.stdout, /^signed_in on Home desktop$/m, 'one device’s own activity');
    assert.match(run.stdout, /New laptop asks; pick one of \d\d \d\d \d\d\n\{"outcome":"approved"\}\nAda’s laptop approved New laptop\nSpare laptop signed in with a code; codes left: 9\n\{"required":false,"recoveryCodesLeft":0\}\n/);
    assert.match(run.stdout, /^403\nFirefox on Linux signed in; token in the body: false\nFirefox on Linux is a browser\n204\n/m);
    assert.match(run.stdout, /^\{"revoked":0\}\n/m);
    assert.match(run.stdout, /^204\n401\n$/m);
  });
});
