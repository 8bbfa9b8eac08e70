// Presence and the right eviction, over real HTTP and WebSocket, on SQLite and
// PostgreSQL (and across two instances on one PostgreSQL): the list says which
// devices are online now, last_seen advances while a device stays connected,
// and the sign-in past the cap never evicts a connected device, nor itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { SessionList } from '../../../shared/api.js';
import { DEFAULT_SESSION_POLICY, type StoreConfig } from '../../../server/config/config.js';
import { MINUTE, ManualClock } from '../../support/clock.js';
import { EventSocket, Http, login, register } from '../../../kit/http.js';
import { startTestServer, testConfig, type TestServer } from '../../support/server.js';
import { Presence } from '../../../server/realtime/presence.js';
import { forEachStore } from '../../support/stores.js';
import { waitFor } from '../../support/wait.js';

forEachStore('presence and eviction', (ctx) => {
  // Frozen: a device's online mark lasts until the test moves the clock, not until a heartbeat is late on a busy machine.
  const clock = new ManualClock({ frozen: true });
  let store: StoreConfig;
  let server: TestServer;
  let http: Http;
  const sockets: EventSocket[] = [];

  before(async () => {
    store = await ctx.newStore();
    server = await startTestServer(store, {
      clock,
      config: { presenceIntervalMs: 100, sessions: { ...DEFAULT_SESSION_POLICY, maxSessionsPerUser: 3 } },
    });
    http = new Http(server.url);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  const connect = async (token: string, url = server.url) => {
    const socket = await EventSocket.open(url, token);
    sockets.push(socket);
    return socket;
  };
  const list = async (token: string, client = http) => SessionList.parse((await client.get('/v1/sessions', token)).body).sessions;
  const onlineIn = async (token: string, deviceName: string, client = http) => (await list(token, client)).find((s) => s.deviceName === deviceName)?.online;

  it('the list says which devices are online now, and the others are told as they come and go', async () => {
    const laptop = await register(http, undefined, 'Laptop');
    const phone = await login(http, laptop.email, 'Phone');
    assert.equal(await onlineIn(laptop.token, 'Phone'), false);
    const watching = await connect(laptop.token);
    const phoneSocket = await connect(phone.token);
    const came = await watching.next('session.presence');
    assert.deepEqual({ sessionId: came.sessionId, online: came.online }, { sessionId: phone.session.id, online: true });
    assert.equal(await onlineIn(laptop.token, 'Phone'), true);
    phoneSocket.close();
    await waitFor(() => watching.messages.some((m) => m.message.type === 'session.presence' && !m.message.online), 'the laptop hears the phone left');
    assert.equal(await onlineIn(laptop.token, 'Phone'), false);
  });

  it('last_seen advances while a device stays connected, with no request of its own', async () => {
    const laptop = await register(http, undefined, 'Laptop');
    const tablet = await login(http, laptop.email, 'Tablet');
    await connect(tablet.token);
    const before = (await list(laptop.token)).find((s) => s.deviceName === 'Tablet')!.lastSeenAt;
    clock.advance(5 * MINUTE);
    await waitFor(async () => Date.parse((await list(laptop.token)).find((s) => s.deviceName === 'Tablet')!.lastSeenAt) > Date.parse(before) + 4 * MINUTE, 'last_seen moves on');
  });

  it('past the cap, the longest-idle device without a live connection goes, never the connected one, and is told who took its place', async () => {
    const inUse = await register(http, undefined, 'In use');
    await connect(inUse.token);
    await waitFor(async () => (await onlineIn(inUse.token, 'In use')) === true, 'the device in use is online');
    clock.advance(MINUTE);
    const idle = await login(http, inUse.email, 'Idle');
    clock.advance(MINUTE);
    const other = await login(http, inUse.email, 'Other');
    clock.advance(MINUTE);
    // The test moves the clock in jumps: wait for the heartbeat to mark it again at the new time.
    await waitFor(async () => (await onlineIn(inUse.token, 'In use')) === true, 'the device in use is still online');
    // "In use" is the least recently seen by its own requests, but it is connected.
    const newest = await login(http, inUse.email, 'Newest');
    const names = (await list(newest.token)).map((s) => s.deviceName).sort();
    assert.deepEqual(names, ['In use', 'Newest', 'Other']);
    const refused = (await http.get('/v1/auth/session', idle.token)).body.error;
    assert.equal(refused.reason, 'evicted');
    assert.deepEqual(refused.revokedBy, { deviceName: 'Newest' });
    assert.equal((await http.get('/v1/auth/session', other.token)).status, 200);
  });

  it('when every other device is connected, the longest idle of them goes and hears it on its socket', async () => {
    const first = await register(http, undefined, 'First');
    const firstSocket = await connect(first.token);
    clock.advance(MINUTE);
    const second = await login(http, first.email, 'Second');
    await connect(second.token);
    clock.advance(MINUTE);
    const third = await login(http, first.email, 'Third');
    await connect(third.token);
    clock.advance(MINUTE);
    await waitFor(async () => (await list(third.token)).every((s) => s.online), 'all three online');
    await login(http, first.email, 'Fourth');
    const pushed = await firstSocket.next('session.revoked');
    assert.equal(pushed.reason, 'evicted');
    assert.deepEqual(pushed.by, { deviceName: 'Fourth', location: { kind: 'this_computer' } });
  });

  it('a device that connects and leaves at once ends offline, even when its online mark is the slower write', async () => {
    const laptop = await register(http, undefined, 'Laptop');
    const brief = await login(http, laptop.email, 'Brief');
    // The online mark's write is held (a busy database) until the socket has closed and the server knows it.
    const marks = server.store.transaction.bind(server.store);
    let held: (() => void) | undefined;
    let reached = false;
    server.store.transaction = (async (work, options) => {
      if (!options?.lightly || reached) return marks(work, options);
      reached = true;
      await new Promise<void>((resolve) => (held = resolve));
      return marks(work, options);
    }) as typeof server.store.transaction;
    try {
      const socket = await connect(brief.token);
      await waitFor(() => held !== undefined, 'the online mark is under way');
      const watching = await connect(laptop.token);
      const open = server.gateway.connectionCount;
      socket.close();
      await waitFor(() => server.gateway.connectionCount === open - 1, 'the server saw the socket close');
      held!();
      await waitFor(() => watching.messages.some((m) => m.message.type === 'session.presence' && m.message.sessionId === brief.session.id && !m.message.online), 'the laptop hears Brief left');
      assert.equal(await onlineIn(laptop.token, 'Brief'), false);
    } finally {
      server.store.transaction = marks;
    }
  });

  it('a heartbeat on its way when a device leaves does not bring it back online', async () => {
    const laptop = await register(http, undefined, 'Laptop');
    const leaving = await login(http, laptop.email, 'Leaving');
    const watching = await connect(laptop.token);
    const socket = await connect(leaving.token);
    await waitFor(async () => (await onlineIn(laptop.token, 'Leaving')) === true, 'Leaving is online');
    // Nothing else is under way: the next light write is a heartbeat, which counts Leaving as connected.
    // It is held (a busy database) until the socket has closed and the server knows it.
    const light = server.store.lightly.bind(server.store);
    let held: (() => void) | undefined;
    let beat: Promise<unknown> | undefined;
    server.store.lightly = ((work) => {
      if (beat) return light(work);
      beat = new Promise<void>((resolve) => (held = resolve)).then(() => light(work));
      return beat;
    }) as typeof server.store.lightly;
    try {
      await waitFor(() => held !== undefined, 'a heartbeat is under way');
      const open = server.gateway.connectionCount;
      socket.close();
      await waitFor(() => server.gateway.connectionCount === open - 1, 'the server saw the socket close');
      held!();
      await beat;
      await waitFor(() => watching.messages.some((m) => m.message.type === 'session.presence' && m.message.sessionId === leaving.session.id && !m.message.online), 'the laptop hears Leaving left');
      assert.equal(await onlineIn(laptop.token, 'Leaving'), false);
    } finally {
      server.store.lightly = light;
    }
  });

  it('a heartbeat over many sessions lets other work run between its batches', async () => {
    const presence = new Presence(server.store, clock, testConfig(store, { presenceIntervalMs: 60_000 }), server.log);
    // Three batches' worth of sessions, all held here (none exists: each batch still runs its statement).
    presence.start(() => [], () => true);
    presence.onApplicationShutdown();
    let finished = false;
    let between = false;
    setImmediate(() => (between = !finished));
    await presence.beat(Array.from({ length: 1_500 }, () => randomUUID()));
    finished = true;
    assert.ok(between, 'something else ran before the heartbeat was over');
  });

  it('a device that comes or goes while a heartbeat batch is on its way, more to follow: the heartbeat ends, the server keeps answering', async () => {
    const presence = new Presence(server.store, clock, testConfig(store, { presenceIntervalMs: 60_000 }), server.log);
    presence.start(() => [], () => true);
    presence.onApplicationShutdown();
    const ids = Array.from({ length: 1_500 }, () => randomUUID());
    const beat = presence.beat(ids);
    // In the first batch, now on its way: the mark waits for it, and must not spin once it has landed.
    presence.changed(randomUUID(), ids[0]!);
    await beat;
    assert.equal((await http.get('/healthz')).status, 200);
  });

  if (ctx.kind === 'postgres') {
    // On PostgreSQL a mark and a heartbeat run on two connections, so the mark's time, read before the
    // heartbeat's, can land after it (SQLite runs one transaction at a time, the time read inside it).
    it('a connected device stays online when its online mark, read earlier, lands after a later heartbeat', async () => {
      const laptop = await register(http, undefined, 'Laptop');
      const late = await login(http, laptop.email, 'Late');
      const marks = server.store.transaction.bind(server.store);
      const light = server.store.lightly.bind(server.store);
      const gate = () => {
        let open!: () => void;
        return { opened: new Promise<void>((resolve) => (open = resolve)), open: () => open() };
      };
      const execution = gate();
      const end = gate();
      let firstMark: Promise<unknown> | undefined;
      let built = false;
      let landed = false;
      let holdBeats = false;
      const held: Promise<unknown>[] = [];
      // The first mark (Late's, online) reads the time and waits at its UPDATE; any mark after it, and
      // every heartbeat once told to, waits until the end.
      server.store.transaction = ((work, options) => {
        if (!options?.lightly) return marks(work, options);
        if (firstMark) {
          const later = end.opened.then(() => marks(work, options));
          held.push(later);
          return later;
        }
        firstMark = marks((unit) => work({ ...unit, db: heldAtExecution(unit.db, execution.opened, () => (built = true)) }), options);
        void firstMark.finally(() => (landed = true));
        return firstMark;
      }) as typeof server.store.transaction;
      server.store.lightly = ((work) => {
        if (!holdBeats) return light(work);
        const later = end.opened.then(() => light(work));
        held.push(later);
        return later;
      }) as typeof server.store.lightly;
      try {
        await connect(late.token);
        await waitFor(() => built, 'Late’s online mark has read the time');
        clock.advance(10_000);
        await waitFor(async () => (await onlineIn(laptop.token, 'Late')) === true, 'a heartbeat at the new time marks Late online');
        holdBeats = true;
        execution.open();
        await waitFor(() => landed, 'the earlier mark has landed');
        assert.equal(await onlineIn(laptop.token, 'Late'), true);
      } finally {
        server.store.transaction = marks;
        server.store.lightly = light;
        execution.open();
        end.open();
        await Promise.allSettled([firstMark, ...held]);
      }
    });

    it('across instances: a device connected to B is online in A’s list and is not evicted by a sign-in through A', async () => {
      const b = await startTestServer(store, { clock, config: { presenceIntervalMs: 100, sessions: { ...DEFAULT_SESSION_POLICY, maxSessionsPerUser: 3 } } });
      try {
        const onB = await register(http, undefined, 'On B');
        await connect(onB.token, b.url);
        await waitFor(async () => (await onlineIn(onB.token, 'On B')) === true, 'online as seen through A');
        clock.advance(MINUTE);
        const idle = await login(http, onB.email, 'Idle');
        clock.advance(MINUTE);
        await login(http, onB.email, 'Other');
        clock.advance(MINUTE);
        await waitFor(async () => (await onlineIn(onB.token, 'On B')) === true, 'still online at the new time');
        await login(http, onB.email, 'Newest');
        assert.equal((await http.get('/v1/auth/session', onB.token)).status, 200);
        assert.equal((await http.get('/v1/auth/session', idle.token)).body.error.reason, 'evicted');
      } finally {
        await b.close();
      }
    });
  }
});

/**
 * `db` as a unit of work hands it on, but the statements built from it wait for `opened` before they
 * run (`reached` is called then): what they read when built (the time) is older than when they land.
 */
function heldAtExecution<T extends object>(db: T, opened: Promise<void>, reached: () => void): T {
  return new Proxy(db, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'execute' || key === 'executeTakeFirst' || key === 'executeTakeFirstOrThrow') {
        return async (...args: unknown[]) => {
          reached();
          await opened;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result !== null && typeof result === 'object' && typeof (result as { execute?: unknown }).execute === 'function' ? heldAtExecution(result, opened, reached) : result;
      };
    },
  });
}
