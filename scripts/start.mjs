#!/usr/bin/env node
// `npm start`: build, start the bundled server on loopback with SQLite (unless
// LATCH_SERVER_URL names another), then open the desktop app against it.
// Arguments after `--` go to the app, e.g. `npm start -- --profile work`.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const appArgs = process.argv.slice(2);
const say = (line) => process.stdout.write(`latch: ${line}\n`);

for (const script of ['build:node', 'build:app']) {
  const built = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

let server;
let serverUrl = process.env.LATCH_SERVER_URL;
if (!serverUrl) {
  const port = process.env.PORT ?? '4000';
  serverUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ['dist/server/main.js'], { cwd: root, stdio: 'inherit', env: { ...process.env, HOST: '127.0.0.1', PORT: port } });
  server.on('exit', (code) => {
    if (code !== 0 && code !== null) process.exit(code);
  });
  await waitForServer(`${serverUrl}/healthz`);
}

let electron;
try {
  electron = createRequire(import.meta.url)('electron');
} catch {
  electron = undefined;
}
if (typeof electron !== 'string') {
  say(
    `the window cannot open: the Electron binary is not installed (it was skipped or could not be downloaded); run "node node_modules/electron/install.js" with network access. The server stays up at ${serverUrl}; Ctrl+C stops it.`,
  );
} else {
  const app = spawn(electron, ['.', ...appArgs], { cwd: root, stdio: 'inherit', env: { ...process.env, LATCH_SERVER_URL: serverUrl } });
  app.on('exit', (code) => {
    server?.kill('SIGTERM');
    process.exit(code ?? 0);
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server?.kill('SIGTERM') ?? process.exit(0));

async function waitForServer(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`the server did not answer at ${url} within 10 s.`);
  server?.kill('SIGTERM');
  process.exit(1);
}
