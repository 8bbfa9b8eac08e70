// The browser host (testing layer 4): runs a device's real core in Node, serves
// the electron-vite renderer build over loopback HTTP, and gives the page a
// window.latch whose calls and events travel over a loopback WebSocket to the
// same IPC handler table that main registers. Only that transport is stood in
// for. The bridge listens on loopback only and takes a socket only from this
// host's own page (its Origin) holding a one-time secret, which is written into
// that page and nowhere else: a page on another port can neither read it nor
// connect.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { IpcCalls, IpcEvents } from '../../shared/ipc.js';
import { createIpcHandlers, eventPayload } from '../../shared/session/handlers.js';
import { openProfile } from '../../electron/core/profile.js';
import type { SessionController } from '../../electron/core/session-controller.js';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const BRIDGE_PATH = '/__latch/bridge';

export interface DeviceHostOptions {
  rendererDir: string;
  serverUrl: string;
  profile: string;
  appDataDir: string;
  deviceName?: string;
  backoff?: { initialMs: number; maxMs: number };
  /**
   * The page's host name: `localhost` for a page that uses passkeys (a browser takes them on `localhost`,
   * never on an IP address); the host listens on 127.0.0.1 either way.
   */
  hostname?: 'localhost' | '127.0.0.1';
}

export interface DeviceHost {
  /** The main window's page; append `#/devices` for the devices window. */
  url: string;
  controller: SessionController;
  /** How often the page asked main to open the devices window. */
  devicesWindowRequests: number;
  close(): Promise<void>;
}

export async function startDeviceHost(options: DeviceHostOptions): Promise<DeviceHost> {
  const secret = randomBytes(32).toString('base64url');
  const controller = openProfile({
    profile: options.profile,
    appDataDir: options.appDataDir,
    appVersion: '0.1.0',
    defaultServerUrl: options.serverUrl,
    ...(options.deviceName ? { deviceName: options.deviceName } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const host: DeviceHost = { url: '', controller, devicesWindowRequests: 0, close: async () => undefined };
  const handlers = createIpcHandlers(controller, { openDevicesWindow: () => void host.devicesWindowRequests++ });

  const http = createServer((request, response) => void serve(request, response));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  let port = 0;
  const pageHost = options.hostname ?? '127.0.0.1';

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === `${BRIDGE_PATH}.js`) {
      response.writeHead(200, { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' });
      return void response.end(bridgeScript(`ws://${pageHost}:${port}${BRIDGE_PATH}`));
    }
    const relative = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
    const file = normalize(join(options.rendererDir, relative));
    if (!file.startsWith(options.rendererDir + sep)) return void response.writeHead(404).end();
    try {
      let body: Buffer | string = await readFile(file);
      if (relative === 'index.html') body = withBridge(body.toString('utf8'), `${pageHost}:${port}`, secret);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  }

  http.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const given = Buffer.from(url.searchParams.get('secret') ?? '');
    const loopback = request.socket.remoteAddress === '127.0.0.1' || request.socket.remoteAddress === '::ffff:127.0.0.1';
    const ownPage = request.headers.origin === `http://${pageHost}:${port}`;
    if (url.pathname !== BRIDGE_PATH || !loopback || !ownPage || given.length !== secret.length || !timingSafeEqual(given, Buffer.from(secret))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', async (data) => {
        let message: { id?: unknown; channel?: unknown; args?: unknown };
        try {
          message = JSON.parse(data.toString());
        } catch {
          return;
        }
        const handler = typeof message.channel === 'string' ? handlers.get(message.channel) : undefined;
        const result = handler
          ? await handler(...(Array.isArray(message.args) ? message.args : []))
          : { ok: false, error: { code: 'unknown_channel', message: 'No such call.' } };
        ws.send(JSON.stringify({ id: message.id, result }));
      });
    });
  });

  const unsubscribe = controller.subscribe((event) => {
    const data = JSON.stringify({ event: event.type, payload: eventPayload(event) });
    for (const ws of sockets) ws.send(data);
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  host.url = `http://${pageHost}:${port}/`;
  await controller.start();
  let closed: Promise<void> | undefined;
  host.close = () =>
    (closed ??= (async () => {
      unsubscribe();
      controller.dispose();
      for (const ws of sockets) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    })());
  return host;
}

/** The built page, plus the bridge's secret, its script and a CSP that lets it reach this host only. */
function withBridge(html: string, hostAndPort: string, secret: string): string {
  return html
    .replace("connect-src 'none'", `connect-src ws://${hostAndPort}`)
    .replace(
      '<script type="module"',
      `<meta name="latch-bridge-secret" content="${secret}" />\n    <script src="${BRIDGE_PATH}.js"></script>\n    <script type="module"`,
    );
}

/** What preload does with ipcRenderer, done over the loopback socket; the secret comes from the page that loaded it. */
function bridgeScript(socketUrl: string): string {
  const calls = Object.fromEntries(Object.entries(IpcCalls).map(([name, call]) => [name, call.channel]));
  const events = Object.keys(IpcEvents);
  return `(() => {
  const calls = ${JSON.stringify(calls)};
  const events = new Set(${JSON.stringify(events)});
  const secret = document.querySelector('meta[name="latch-bridge-secret"]')?.content ?? '';
  const socket = new WebSocket(${JSON.stringify(socketUrl)} + '?secret=' + encodeURIComponent(secret));
  const pending = new Map();
  const queue = [];
  const listeners = new Map();
  let nextId = 1;
  socket.onopen = () => { for (const m of queue.splice(0)) socket.send(m); };
  socket.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.id !== undefined) { pending.get(m.id)?.(m.result); pending.delete(m.id); }
    else if (m.event) for (const l of listeners.get(m.event) ?? []) l(m.payload);
  };
  socket.onclose = () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'bridge_closed', message: 'Latch lost contact with its background process.' } });
    pending.clear();
  };
  const call = (channel, args) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    const message = JSON.stringify({ id, channel, args });
    if (socket.readyState === 1) socket.send(message); else queue.push(message);
  });
  const latch = {};
  for (const [name, channel] of Object.entries(calls)) latch[name] = (...args) => call(channel, args);
  latch.on = (event, listener) => {
    if (!events.has(event)) throw new Error('Unknown Latch event: ' + event);
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event).add(listener);
    return () => listeners.get(event).delete(listener);
  };
  window.latch = Object.freeze(latch);
})();
`;
}
