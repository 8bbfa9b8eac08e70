// The server's side of the heartbeat: every socket is pinged once per interval
// (spread over the interval in slices), and one that stops answering is dropped.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import WebSocket from 'ws';
import { Http, login, register } from '../../../kit/http.js';
import { startTestServer, tempSqlite } from '../../support/server.js';

const sqlite = tempSqlite();
after(() => sqlite.dispose());

function open(url: string, token: string, autoPong: boolean): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/events`, { headers: { authorization: `Bearer ${token}` }, autoPong });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

it('drops a device that stops answering pings and keeps those that answer', { timeout: 20_000 }, async () => {
  const server = await startTestServer(sqlite.store, { config: { pingIntervalMs: 250, sockets: { perSession: 100, perAccount: 100, perAddress: 100, total: 100, connections: 1_000 } } });
  try {
    const http = new Http(server.url);
    const account = await register(http, undefined, 'Laptop');
    const answering = await Promise.all(Array.from({ length: 30 }, () => open(server.url, account.token, true)));
    const silent = await open(server.url, (await login(http, account.email, 'Frozen laptop')).token, false);
    const pings = new Map<WebSocket, number>();
    for (const socket of [...answering, silent]) socket.on('ping', () => pings.set(socket, (pings.get(socket) ?? 0) + 1));

    const closed = await new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    assert.equal(closed, 1006, 'terminated, not closed politely');
    assert.ok((pings.get(silent) ?? 0) >= 1, 'it was pinged before it was dropped');
    // Each answering socket has been pinged in its turn, and the server holds exactly those
    // (it lets go of the dropped one when its own side of the socket has closed).
    await new Promise<void>((resolve) => {
      const check = () =>
        answering.every((s) => (pings.get(s) ?? 0) >= 2) && server.gateway.connectionCount === answering.length ? resolve() : setTimeout(check, 50);
      check();
    });
    assert.ok(answering.every((s) => s.readyState === WebSocket.OPEN));
    for (const socket of answering) socket.close();
  } finally {
    await server.close();
  }
});
