// The load process for the revocation and memory benchmarks: a separate Node
// process that holds many connected devices (one WebSocket each on
// /v1/events) and revokes some of them through the HTTP API at a steady rate,
// timing each revoke's response against its `session.revoked` at the device;
// or the attacker of the under-attack scenario. Driven by the benchmark over
// IPC: connect, revoke, attack, close. Several run at once past what one
// process's open-file limit holds.
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { send } from './http.js';
import type { SeededSession } from './lib.js';

export type DevicesCommand =
  | { kind: 'connect'; eventsUrl: string; devices: SeededSession[] }
  | { kind: 'revoke'; apiUrl: string; revokers: SeededSession[]; devices: SeededSession[]; perSecond: number }
  | { kind: 'attack'; apiUrl: string; emails: string[]; perSecond: number; firstAddress?: number }
  | { kind: 'stop-attack' }
  | { kind: 'close' };

export type DevicesReply =
  | { kind: 'connected'; open: number; seconds: number }
  | { kind: 'revoked'; fromResponseMs: number[]; fromRequestMs: number[]; responseMs: number[]; beforeResponse: number; missing: number }
  | { kind: 'attacking' }
  | { kind: 'attacked'; sent: number; statuses: Record<string, number> }
  | { kind: 'closed' }
  | { kind: 'failed'; message: string };

const sockets = new Map<string, WebSocket>();
const revokedAt = new Map<string, number>();
const waiting = new Map<string, () => void>();

function open(eventsUrl: string, device: SeededSession): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(eventsUrl, { headers: { authorization: `Bearer ${device.token}` }, perMessageDeflate: false });
    socket.once('open', () => {
      sockets.set(device.sessionId, socket);
      resolve();
    });
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    socket.once('error', reject);
    socket.on('message', (data) => {
      const at = performance.now();
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type !== 'session.revoked') return;
      revokedAt.set(device.sessionId, at);
      waiting.get(device.sessionId)?.();
    });
  });
}

async function connect(eventsUrl: string, devices: SeededSession[]): Promise<DevicesReply> {
  const started = performance.now();
  let next = 0;
  // A bounded number of handshakes in flight, as devices coming online would be.
  const worker = async () => {
    while (next < devices.length) await open(eventsUrl, devices[next++]!);
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return { kind: 'connected', open: sockets.size, seconds: (performance.now() - started) / 1000 };
}

async function revoke(apiUrl: string, revokers: SeededSession[], devices: SeededSession[], perSecond: number): Promise<DevicesReply> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const fromResponseMs: number[] = [];
  const fromRequestMs: number[] = [];
  const responseMs: number[] = [];
  let beforeResponse = 0;
  let missing = 0;
  const one = async (device: SeededSession) => {
    const arrived = new Promise<void>((resolve) => {
      waiting.set(device.sessionId, resolve);
      setTimeout(resolve, 10_000).unref();
    });
    const sent = performance.now();
    const { status } = await send(agent, 'DELETE', `${apiUrl}/v1/sessions/${device.sessionId}`, revokers[device.account]!.token);
    const answered = performance.now();
    if (status !== 204) throw new Error(`revoke answered ${status}`);
    responseMs.push(answered - sent);
    await arrived;
    waiting.delete(device.sessionId);
    const at = revokedAt.get(device.sessionId);
    if (at === undefined) return void missing++;
    if (at < answered) beforeResponse++;
    fromResponseMs.push(Math.max(0, at - answered));
    fromRequestMs.push(at - sent);
  };
  const all: Array<Promise<void>> = [];
  let failure: Error | undefined;
  const started = performance.now();
  for (let i = 0; i < devices.length; i++) {
    // A steady rate: the i-th revoke leaves at started + i / rate, whatever the earlier ones are doing.
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    all.push(one(devices[i]!).catch((error: Error) => void (failure ??= error)));
  }
  await Promise.all(all);
  agent.destroy();
  if (failure) throw failure;
  return { kind: 'revoked', fromResponseMs, fromRequestMs, responseMs, beforeResponse, missing };
}

let attack: { stop(): Promise<DevicesReply> } | undefined;

/**
 * Wrong-password sign-ins at a steady rate until told to stop, each from an address of its own (a
 * trusted proxy's X-Forwarded-For, counting up from 10.0.0.0 + `firstAddress`), spread over the given
 * accounts; counts the answers by status.
 */
function startAttack(apiUrl: string, emails: string[], perSecond: number, firstAddress = 0): { stop(): Promise<DevicesReply> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const statuses: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let stopped = false;
  const started = performance.now();
  const one = (i: number) => {
    const n = firstAddress + i;
    const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const body = JSON.stringify({ email: emails[i % emails.length], password: `wrong password ${i}`, device: { name: 'Attacker', platform: 'linux', appVersion: '1' } });
    const done = new Promise<void>((resolve) => {
      const req = request(`${apiUrl}/v1/auth/login`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-forwarded-for': address } }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          resolve();
        });
      });
      req.on('error', () => {
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      req.end(body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const loop = (async () => {
    while (!stopped) {
      const wait = started + (sent * 1000) / perSecond - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!stopped) one(sent++);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      agent.destroy();
      return { kind: 'attacked', sent, statuses };
    },
  };
}

process.on('message', (command: DevicesCommand) => {
  const answer = async (): Promise<DevicesReply> => {
    switch (command.kind) {
      case 'connect':
        return connect(command.eventsUrl, command.devices);
      case 'revoke':
        return revoke(command.apiUrl, command.revokers, command.devices, command.perSecond);
      case 'attack':
        attack = startAttack(command.apiUrl, command.emails, command.perSecond, command.firstAddress);
        return { kind: 'attacking' };
      case 'stop-attack':
        if (!attack) throw new Error('no attack is running');
        return attack.stop();
      case 'close':
        for (const socket of sockets.values()) socket.terminate();
        sockets.clear();
        return { kind: 'closed' };
    }
  };
  answer().then(
    (reply) => process.send!(reply),
    (error: Error) => process.send!({ kind: 'failed', message: error.message } satisfies DevicesReply),
  );
});
