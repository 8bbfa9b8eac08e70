// One server process under a low descriptor limit (`ulimit -n 512`): it reads the limit at start and says
// how many live connections it holds; at that ceiling a new WebSocket gets 503 with a JSON body, while
// /healthz, sign-ins and the devices list keep answering. The process never runs out of descriptors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultMaxSockets } from '../../../server/config/config.js';
import { device, EventSocket, Http, PASSWORD, register } from '../../../kit/http.js';
import { LATCH_LISTENING, startProcess } from '../../../kit/process.js';
import { AuthResult } from '../../../shared/api.js';

const MAIN = fileURLToPath(new URL('../../../server/main.js', import.meta.url));
// Not lower: starting takes up to about 300 descriptors at once (Node's loader reads the modules
// concurrently), and at 320 a start failed now and then with EMFILE.
const OPEN_FILES = 512;

describe('capacity under a low open-file limit', () => {
  it('holds its ceiling of WebSockets, refuses the next with 503, and keeps answering HTTP', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latch-capacity-'));
    // Each sign-in from its own address, as devices are: the per-address limits are not what is tested here.
    // One account holds every session here (its usual cap is 50).
    const env = { LATCH_DATA_DIR: dataDir, LATCH_TRUST_PROXY: '1', LATCH_LOG_LEVEL: 'info', LATCH_MAX_SESSIONS: '200' };
    const server = await startProcess(MAIN, env, { line: LATCH_LISTENING }, { openFiles: OPEN_FILES });
    const sockets: EventSocket[] = [];
    try {
      const ceiling = defaultMaxSockets(OPEN_FILES);
      assert.ok(
        server.output.some((line) => line.includes(`Holds up to ${ceiling} live connections (open-file limit ${OPEN_FILES})`)),
        'the limit, read at start, is in the log',
      );
      const http = new Http(server.url);
      const owner = await register(http);
      // Two sockets a session (one, and one more while it reconnects).
      const sessions = [owner.token];
      for (let i = 1; sessions.length * 2 < ceiling; i++) {
        const reply = await http.request('POST', '/v1/auth/login', {
          json: { email: owner.email, password: PASSWORD, device: device(`Device ${i}`) },
          headers: { 'x-forwarded-for': `198.51.${100 + (i >> 8)}.${i & 255}` },
        });
        assert.equal(reply.status, 200, reply.text);
        sessions.push(AuthResult.parse(reply.body).token);
      }
      for (const token of sessions) for (let i = 0; i < 2 && sockets.length < ceiling; i++) sockets.push(await EventSocket.open(server.url, token));
      assert.equal(sockets.length, ceiling);

      const refused = await EventSocket.open(server.url, owner.token).then(
        () => undefined,
        (error: { status?: number }) => error.status,
      );
      assert.equal(refused, 503, 'one past the ceiling');
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal((await http.get('/v1/sessions', owner.token)).status, 200, 'the devices list still answers');
      assert.ok(!server.output.some((line) => /EMFILE|too many open files/i.test(line)), 'never out of descriptors');

      // A device that goes makes room: its next connection is taken.
      sockets.pop()!.close();
      await waitUntilOpen(server.url, sessions.at(-1)!, sockets);
    } finally {
      for (const socket of sockets) socket.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Opens a socket once the server has noticed one closed (its registry frees the place on close). */
async function waitUntilOpen(url: string, token: string, sockets: EventSocket[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      sockets.push(await EventSocket.open(url, token));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
