// The browser host stands in for Electron's IPC in these specs; it must not be
// a way in. A page on another localhost port can load the bridge's script but
// learns no secret from it, and even with the secret the bridge refuses any
// Origin but the host's own page.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { expect, signIn, test } from './fixtures.js';

/** How a WebSocket handshake to the bridge ended: 101, or the refusal's status. */
function handshake(url: string, origin: string): Promise<number> {
  const socket = new WebSocket(url, { origin });
  return new Promise((resolve) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => resolve(0));
  });
}

test('a hostile page on another localhost port cannot sign the device out through the bridge', async ({ lab, browser }) => {
  const a = await lab.device('Work laptop');
  await signIn(a.page, { email: lab.email, create: true });
  await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();

  const hostile = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><title>waiting</title>
<script src="${a.host.url}__latch/bridge.js"></script>
<script>window.latch.signOut().then((r) => { document.title = JSON.stringify(r); }, (e) => { document.title = 'threw ' + e; });</script>`);
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  const hostileOrigin = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  const page = await browser.newPage();
  try {
    await page.goto(hostileOrigin);
    await expect.poll(() => page.title()).toContain('bridge_closed');
    await expect(a.page.getByText(`Signed in as ${lab.email}`)).toBeVisible();
    expect(a.host.controller.getState().status).toBe('signedIn');

    // The secret is in the host's own page only; with it, another Origin is still refused.
    const html = await (await fetch(a.host.url)).text();
    const secret = /name="latch-bridge-secret" content="([^"]+)"/.exec(html)?.[1];
    expect(secret).toBeTruthy();
    const bridge = `${a.host.url.replace('http', 'ws')}__latch/bridge?secret=${secret}`;
    expect(await handshake(bridge, hostileOrigin)).toBe(403);
    expect(await handshake(bridge, new URL(a.host.url).origin)).toBe(101);
  } finally {
    await page.close();
    hostile.close();
  }
});
