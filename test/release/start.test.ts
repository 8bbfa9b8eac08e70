// `npm start` as a newcomer meets it on a machine without the Electron binary:
// one line says why the window cannot open, a server it did not start is never
// reported, the server dying ends it with a non-zero code, and Ctrl+C and a
// closed terminal (SIGINT, SIGHUP to the process group) and SIGTERM to npm
// (which does not pass it on) stop the server it started.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';

const root = new URL('../../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'latch-start-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function npmStart(env: Record<string, string>, script = 'start'): Started {
  let output = '';
  // Its own process group, as a terminal gives it, so Ctrl+C can go to the whole group.
  const npm = spawn('npm', ['run', '--silent', script], {
    cwd: root,
    detached: true,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', LATCH_DATA_DIR: dataDir, LATCH_LOG_LEVEL: 'warn', ...env },
  });
  npm.stdout!.on('data', (chunk) => (output += chunk));
  npm.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  return { npm, output: () => output, exited };
}

const answers = async (port: number) => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  } catch {
    return false;
  }
};

describe('npm start without the Electron binary', { timeout: 240_000 }, () => {
  it('with LATCH_SERVER_URL it starts nothing, says why in one line and exits 1', async () => {
    const started = npmStart({ LATCH_SERVER_URL: 'http://127.0.0.1:9' });
    assert.equal(await started.exited, 1);
    const lines = started.output().split('\n').filter((line) => line.startsWith('latch:') && line !== 'latch: building what changed…');
    assert.deepEqual(lines.length, 1, started.output());
    assert.match(lines[0]!, /the window cannot open: the Electron binary is not downloaded .*node node_modules\/electron\/install\.js/);
    assert.doesNotMatch(started.output(), /server is running/);
  });

  for (const [signal, toGroup] of [
    ['SIGINT', true],
    ['SIGTERM', false],
    ['SIGHUP', true],
  ] as const) {
    it(`keeps the server it started until ${signal}${toGroup ? ' to the process group' : ' to npm alone'}, then stops it`, async () => {
      const port = await freePort();
      const started = npmStart({ PORT: String(port) });
      await waitFor(() => /The server is running at http:\/\/127\.0\.0\.1:\d+/.test(started.output()), 'the one line about the window', 180_000);
      assert.ok(await answers(port), 'the server answers');
      process.kill(toGroup ? -started.npm.pid! : started.npm.pid!, signal);
      await waitFor(async () => !(await answers(port)), `the server stops after ${signal}`, 15_000);
      await started.exited;
    });
  }

  it('never takes another program answering on the port for its server: the server says the port is taken, npm start exits non-zero', async () => {
    const port = await freePort();
    const other = createHttpServer((_request, response) => response.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    try {
      const started = npmStart({ PORT: String(port) });
      assert.notEqual(await started.exited, 0);
      assert.match(started.output(), new RegExp(`latch-server: could not start: cannot listen on 127\\.0\\.0\\.1:${port} \\(HOST, PORT\\): another program is listening there`));
      assert.match(started.output(), /latch: the server stopped \(exit code 1\)/);
      assert.doesNotMatch(started.output(), /server is running|keeps running/);
    } finally {
      other.close();
    }
  });

  it('says it is building, and tries the Electron download once: a failure is remembered, not tried at every start', async () => {
    const remembered = join(root, 'node_modules', '.cache', 'latch', 'electron-download-failed.txt');
    const before = existsSync(remembered) ? readFileSync(remembered, 'utf8') : undefined;
    rmSync(remembered, { force: true });
    // A mirror nobody answers on: the download fails at once, as on a machine without Electron's release host.
    const env = { LATCH_SERVER_URL: 'http://127.0.0.1:9', ELECTRON_SKIP_BINARY_DOWNLOAD: '', ELECTRON_MIRROR: 'http://127.0.0.1:9/' };
    try {
      const first = npmStart(env);
      assert.equal(await first.exited, 1);
      assert.match(first.output(), /^latch: building what changed…$/m);
      assert.match(first.output(), /latch: fetching the Electron binary \(once\)…/);
      assert.ok(existsSync(remembered), 'the failure is remembered');
      const second = npmStart(env);
      assert.equal(await second.exited, 1);
      assert.doesNotMatch(second.output(), /fetching the Electron binary/);
      assert.match(second.output(), /the window cannot open: the Electron binary could not be downloaded on .*\(not tried again at each start\)/);
    } finally {
      if (before === undefined) rmSync(remembered, { force: true });
      else writeFileSync(remembered, before);
    }
  });

  it('npm run server starts only the server, with one listening line, and does not rebuild an unchanged app bundle', async () => {
    const bundle = join(root, 'out', 'renderer', 'index.html');
    const builtAt = statSync(bundle).mtimeMs;
    const port = await freePort();
    const started = npmStart({ PORT: String(port), LATCH_LOG_LEVEL: 'info' }, 'server');
    try {
      await waitFor(() => /listening on/.test(started.output()), 'the listening line', 180_000);
      assert.ok(await answers(port));
      assert.equal(started.output().match(/listening on|running at/g)?.length, 1, started.output());
      assert.doesNotMatch(started.output(), /window/);
      assert.equal(statSync(bundle).mtimeMs, builtAt, 'the app bundle was not rebuilt');
    } finally {
      process.kill(-started.npm.pid!, 'SIGINT');
      await started.exited;
    }
  });

  it('exits non-zero, saying so, when the server cannot run', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const started = npmStart({ PORT: String(port) });
      const code = await started.exited;
      assert.notEqual(code, 0);
      assert.match(started.output(), /latch: the server stopped \(exit code \d+\)/);
      assert.doesNotMatch(started.output(), /The server is running/);
    } finally {
      taken.close();
    }
  });
});

describe('npm run admin', { timeout: 240_000 }, () => {
  it('builds what changed and runs the operator’s tool with this shell’s settings (docs/operations.md)', async () => {
    // The data folder `npm start` used above: the tool finds its database there.
    const admin = spawn('npm', ['run', '--silent', 'admin', '--', 'registration'], { cwd: root, env: { ...process.env, LATCH_DATA_DIR: dataDir } });
    let output = '';
    admin.stdout.on('data', (chunk) => (output += chunk));
    admin.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => admin.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.equal(output, 'Sign-up is open: anyone who reaches the server may sign up (the default)\n');
  });
});
