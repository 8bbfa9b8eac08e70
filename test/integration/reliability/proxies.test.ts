// The reverse proxies of docs/operations.md, run as written there: the nginx and Caddy blocks are taken out
// of the page itself (so the docs cannot drift), each run on loopback ports with a self-signed certificate in
// front of two Latch instances on one PostgreSQL. Through each: sign-up, sign-in, the list, a WebSocket
// hearing a revocation made through the other instance, the client's address from X-Forwarded-For, and the
// account page's cookie sign-in in Chromium on a port other than 443. Skipped, with one line saying why,
// where nginx, Caddy, openssl or Chromium is missing (.ci/run installs them).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { WebSocket } from 'ws';
import { freePort } from '../../../kit/postgres.js';
import { PASSWORD, SIGN_UP_SUBJECT, device, uniqueEmail } from '../../../kit/http.js';
import { chromiumPath } from '../../../kit/chromium.js';
import { codeMailedTo } from '../../../kit/mailbox.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { StoreContext } from '../../support/stores.js';
import { settlesWithin, waitFor } from '../../support/wait.js';

const HOST = 'latch.example.com';
/** The client's own address: not the proxy's (127.0.0.1), so the address Latch stores shows whose it took. */
const CLIENT = '127.0.0.2';
const CHROMIUM = chromiumPath() ?? '/usr/bin/chromium';
const operations = readFileSync(fileURLToPath(new URL('../../../../docs/operations.md', import.meta.url)), 'utf8');

/** The fenced block of this language in docs/operations.md, as it stands there. */
function docBlock(language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(operations);
  assert.ok(match, `docs/operations.md has a ${language} block`);
  return match[1]!;
}

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const missing = ['nginx', 'caddy', 'openssl'].filter((command) => !has(command));
const skip = missing.length > 0 ? `not run: ${missing.join(', ')} not installed (on Debian: apt-get install ${missing.join(' ')})` : false;

interface Reply {
  status: number;
  body: any;
  setCookie: string[];
}

/** A request through the proxy on `port`, from the client's own address, by the public name. */
function viaProxy(port: number, method: string, path: string, options: { token?: string; json?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        localAddress: CLIENT,
        servername: HOST,
        rejectUnauthorized: false,
        headers: {
          host: `${HOST}:${port}`,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, setCookie: response.headers['set-cookie'] ?? [] }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A WebSocket through the proxy, with every message it hears. */
async function socketViaProxy(port: number, token: string): Promise<{ socket: WebSocket; messages: Array<{ type: string; reason?: string }> }> {
  const socket = new WebSocket(`wss://127.0.0.1:${port}/v1/events`, {
    headers: { host: `${HOST}:${port}`, authorization: `Bearer ${token}` },
    rejectUnauthorized: false,
    localAddress: CLIENT,
    // The name the proxy picks its certificate by (ws hands TLS options on to https.request; its types omit this one).
    ...({ servername: HOST } as object),
  });
  const messages: Array<{ type: string; reason?: string }> = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade answered ${response.statusCode}`)));
  });
  return { socket, messages };
}

/** Resolves once something accepts connections on the port. */
const listening = (port: number) =>
  waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const probe = connect(port, '127.0.0.1', () => (probe.destroy(), resolve(true)));
        probe.on('error', () => resolve(false));
      }),
    `the proxy listening on ${port}`,
    20_000,
  );

interface Proxy {
  name: string;
  /** Writes its configuration (from the doc) and starts it on `port` in front of the two upstreams. */
  start(dir: string, port: number, upstreams: [number, number], cert: { cert: string; key: string }): Promise<ChildProcess>;
}

const NGINX: Proxy = {
  name: 'nginx',
  async start(dir, port, [a, b], { cert, key }) {
    const block = docBlock('nginx')
      .replace('listen 443 ', `listen 127.0.0.1:${port} `)
      .replace('127.0.0.1:4001', `127.0.0.1:${a}`)
      .replace('127.0.0.1:4002', `127.0.0.1:${b}`)
      .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${cert};`)
      .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${key};`);
    assert.ok(block.includes(`127.0.0.1:${port}`) && block.includes(cert), 'the doc block has the lines the run changes');
    const conf = join(dir, 'nginx.conf');
    // What a distribution's nginx.conf gives every server block; the block itself is the doc's.
    writeFileSync(
      conf,
      `user root; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;\nevents {}\nhttp {\n` +
        `access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n` +
        `${block}\n}\n`,
    );
    const test = spawnSync('nginx', ['-t', '-p', dir, '-c', conf], { encoding: 'utf8' });
    assert.equal(test.status, 0, `nginx -t: ${test.stderr}`);
    return spawn('nginx', ['-p', dir, '-c', conf], { stdio: 'ignore' });
  },
};

const CADDY: Proxy = {
  name: 'Caddy',
  async start(dir, port, [a, b], { cert, key }) {
    const block = docBlock('caddy')
      .replace(`${HOST} {`, `https://${HOST}:${port} {\n\tbind 127.0.0.1\n\ttls ${cert} ${key}`)
      .replace('127.0.0.1:4001', `127.0.0.1:${a}`)
      .replace('127.0.0.1:4002', `127.0.0.1:${b}`);
    assert.ok(block.includes(`${HOST}:${port}`) && block.includes(`127.0.0.1:${a}`), 'the doc block has the lines the run changes');
    const file = join(dir, 'Caddyfile');
    // Global options for a run on loopback: no admin endpoint, no port 80, data in the temp folder.
    writeFileSync(file, `{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system ${dir}/data\n}\n${block}`);
    const adapted = spawnSync('caddy', ['adapt', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8' });
    assert.equal(adapted.status, 0, `caddy adapt: ${adapted.stderr}`);
    assert.doesNotMatch(adapted.stderr, /"level":"warn".*(Unnecessary|not supported|deprecated)/, 'no warning about the doc’s own lines');
    return spawn('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { stdio: 'ignore', env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir } });
  },
};

describe('the reverse proxies of docs/operations.md, run as written', { skip }, () => {
  const ctx = new StoreContext('postgres');
  let dir: string;
  let cert: { cert: string; key: string };
  let instanceA: TestServer;
  let instanceB: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latch-proxies-'));
    cert = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`, '-keyout', cert.key, '-out', cert.cert], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const store = await ctx.newStore();
    // As operations.md says to start them behind one proxy: loopback, one trusted hop, the public name allowed.
    const config = { trustProxy: 1 as const, allowedHosts: [HOST] };
    instanceA = await startTestServer(store, { config });
    instanceB = await startTestServer(store, { config });
  });
  after(async () => {
    await instanceA?.close();
    await instanceB?.close();
    await ctx.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const proxy of [NGINX, CADDY]) {
    it(`${proxy.name}: sign-up, sign-in, the list, a revocation heard across instances, the client’s address, and the page’s cookie sign-in in Chromium`, async () => {
      const port = await freePort();
      const running = await proxy.start(mkdtempSync(join(dir, `${proxy.name}-`)), port, [instanceA.port, instanceB.port], cert);
      try {
        await listening(port);
        const email = uniqueEmail(proxy.name);
        // A client that writes its own X-Forwarded-For: the proxy replaces it with the address it saw.
        const spoof = { 'x-forwarded-for': '6.6.6.6' };
        const asked = await viaProxy(port, 'POST', '/v1/auth/register', { json: { email, password: PASSWORD, device: device('Work laptop') }, headers: spoof });
        assert.equal(asked.status, 202, JSON.stringify(asked.body));
        const code = await codeMailedTo(email, SIGN_UP_SUBJECT);
        const signedUp = await viaProxy(port, 'POST', '/v1/auth/register/verify', { json: { id: asked.body.codeSent.id, code }, headers: spoof });
        assert.equal(signedUp.status, 201, JSON.stringify(signedUp.body));
        assert.equal(signedUp.body.session.ip, CLIENT, 'the client’s address, from the proxy’s X-Forwarded-For');
        const phone = await viaProxy(port, 'POST', '/v1/auth/login', { json: { email, password: PASSWORD, device: device('Phone') } });
        assert.equal(phone.status, 200);
        const list = await viaProxy(port, 'GET', '/v1/sessions', { token: signedUp.body.token });
        assert.deepEqual(list.body.sessions.map((s: { deviceName: string }) => s.deviceName).sort(), ['Phone', 'Work laptop']);

        // The phone's socket lands on one instance; the laptop signs it out through the other, directly.
        const { socket, messages } = await socketViaProxy(port, phone.body.token);
        await waitFor(() => instanceA.gateway.connectionCount + instanceB.gateway.connectionCount === 1, 'the socket held by an instance');
        const other = instanceA.gateway.connectionCount === 1 ? instanceB : instanceA;
        const revoked = await fetch(new URL(`/v1/sessions/${phone.body.session.id}`, other.url), { method: 'DELETE', headers: { authorization: `Bearer ${signedUp.body.token}` } });
        assert.equal(revoked.status, 204);
        await waitFor(() => messages.some((m) => m.type === 'session.revoked'), 'the phone hears it through the proxy');
        assert.equal(messages.find((m) => m.type === 'session.revoked')?.reason, 'revoked_by_user');
        socket.close();

        if (!existsSync(CHROMIUM)) return void console.log(`# the account page's part not run: no Chromium at ${CHROMIUM}`);
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
        });
        try {
          const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
          await page.goto(`https://${HOST}:${port}/account`);
          await page.getByLabel('Email').fill(email);
          await page.getByLabel('Password').fill(PASSWORD);
          await page.keyboard.press('Enter');
          await settlesWithin(page.getByRole('heading', { name: 'Signed-in devices' }).waitFor(), 'the page signed in through the proxy', 30_000);
          const cookies = await page.context().cookies();
          assert.ok(cookies.some((c) => c.name === '__Host-latch_session' && c.secure && c.httpOnly), 'the __Host- cookie, Secure and HttpOnly');
          // A change the page asks for passes the Origin check on this port: it signs the laptop out.
          await page.getByRole('button', { name: "Sign out 'Work laptop'" }).click();
          await page.getByRole('button', { name: "Yes, sign out 'Work laptop'" }).click();
          await settlesWithin(page.getByRole('listitem', { name: 'Work laptop' }).waitFor({ state: 'detached' }), 'the laptop gone from the page’s list', 30_000);
        } finally {
          await browser.close();
        }
      } finally {
        running.kill('SIGTERM');
        await new Promise((resolve) => (running.exitCode !== null ? resolve(undefined) : running.once('exit', resolve)));
      }
    });
  }
});
