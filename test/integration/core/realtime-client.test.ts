// The realtime client against a server that goes quiet: a connection that
// misses its pings is dropped and made again, with backoff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { RealtimeClient } from '../../../electron/core/realtime-client.js';
import { waitFor } from '../../support/wait.js';

describe('realtime client', () => {
  it('drops a connection that has gone silent (no pings) and reconnects', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    let connections = 0;
    wss.on('connection', () => connections++); // accepts, then never pings or sends
    const events: string[] = [];
    let reopened: () => void = () => undefined;
    const twice = new Promise<void>((resolve) => (reopened = resolve));
    const client = new RealtimeClient({
      serverUrl: `http://127.0.0.1:${(wss.address() as { port: number }).port}`,
      token: () => 'lt_test',
      deadAfterMs: 300,
      backoff: { initialMs: 50, maxMs: 200 },
      handlers: {
        onOpen: () => {
          events.push('open');
          if (events.filter((e) => e === 'open').length === 2) reopened();
        },
        onDown: () => events.push('down'),
        onMessage: () => events.push('message'),
      },
    });
    client.start();
    await twice;
    client.stop();
    wss.close();
    assert.deepEqual(events.slice(0, 3), ['open', 'down', 'open']);
    assert.equal(connections, 2);
  });

  it('keeps a connection the server pings', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    const timers: NodeJS.Timeout[] = [];
    let pings = 0;
    wss.on('connection', (socket) => timers.push(setInterval(() => (socket.ping(), pings++), 100)));
    const events: string[] = [];
    const client = new RealtimeClient({
      serverUrl: `http://127.0.0.1:${(wss.address() as { port: number }).port}`,
      token: () => 'lt_test',
      deadAfterMs: 300,
      handlers: { onOpen: () => events.push('open'), onDown: () => events.push('down'), onMessage: () => undefined },
    });
    client.start();
    // Ten pings, three silence limits' worth: a pinged connection must stay up throughout.
    await waitFor(() => pings >= 10, 'ten pings sent');
    client.stop();
    for (const t of timers) clearInterval(t);
    wss.close();
    assert.deepEqual(events, ['open']);
  });
});
