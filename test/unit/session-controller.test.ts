// The session runner with fakes of its ports: effects run one at a time, in order, and the races
// between a sign-out and a reconnect come out right. Milliseconds, no server, no keychain.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AuthResult, RealtimeMessage, SessionView } from '../../shared/api.js';
import type { KeychainState, SessionState } from '../../shared/ipc.js';
import { CoreError } from '../../shared/session/errors.js';
import type { Api, Clock, Profile, ProfileData, Realtime, RealtimeHandlers, Vault } from '../../shared/session/ports.js';
import { SessionController } from '../../electron/core/session-controller.js';

const at = '2026-11-26T12:00:00.000Z';
const session: SessionView = {
  id: 's1',
  deviceName: 'Laptop',
  platform: 'linux',
  appVersion: '1.0.0',
  ip: '127.0.0.1',
  location: { kind: 'this_computer' },
  createdAt: at,
  lastSeenAt: at,
  expiresAt: '2099-01-01T00:00:00.000Z',
  current: true,
  online: true,
};
const user = { id: 'u1', email: 'ada@example.com', createdAt: at, emailVerified: true };
const result = (token: string): AuthResult => ({ token, user, session });

/** A promise the test settles. */
class Gate<T = void> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => Object.assign(this, { resolve, reject }));
  }
}

class FakeVault implements Vault {
  state: KeychainState = { kind: 'os', store: 'secret_service' };
  token: string | undefined;
  /** When set, the next delete waits for it. */
  deleteGate: Gate | undefined;
  writeGate: Gate | undefined;
  readonly log: string[] = [];
  async read() {
    return this.token;
  }
  async write(token: string) {
    await this.writeGate?.promise;
    this.token = token;
    this.log.push(`write ${token}`);
    return true;
  }
  async delete() {
    await this.deleteGate?.promise;
    this.token = undefined;
    this.log.push('delete');
  }
}

class FakeApi {
  /** When set, logout waits for it. */
  logoutGate: Gate | undefined;
  readonly rotations: Array<{ presented: string; answer: Gate<AuthResult> }> = [];
  /** The token each call other than rotate was made with. */
  readonly usedTokens: Array<string | undefined> = [];
  /** Passkey answers sent, and to which server. */
  readonly passkeyAnswers: string[] = [];
  constructor(
    private readonly token: () => string | undefined,
    private readonly url = '',
  ) {}
  register = async () => result('lt_1');
  passkeySignInOptions = async () => ({ id: `ceremony-${this.url}`, options: {} });
  signInWithPasskey = async () => {
    this.passkeyAnswers.push(this.url);
    return result('lt_1');
  };
  requestPasswordReset = async () => ({ codeSent: { id: 'reset-1', expiresAt: at } });
  login = async () => result('lt_1');
  logout = async () => {
    await this.logoutGate?.promise;
    return null;
  };
  rotate = (presented: string) => {
    const answer = new Gate<AuthResult>();
    this.rotations.push({ presented, answer });
    return answer.promise;
  };
  changePassword = async () => ({ revoked: 0 });
  listSessions = async () => {
    this.usedTokens.push(this.token());
    return [session];
  };
  renameCurrent = async (deviceName: string) => ({ ...session, deviceName });
  revokeSession = async () => null;
  revokeOthers = async () => ({ revoked: 0 });
  signedOutSessions = async () => [];
  reauthenticate = async () => ({ until: at });
  securityEvents = async () => ({ events: [] });
}

class FakeRealtime implements Realtime {
  started = 0;
  renewed = 0;
  stopped = 0;
  constructor(readonly handlers: RealtimeHandlers) {}
  start() {
    this.started++;
  }
  stop() {
    this.stopped++;
  }
  renew() {
    this.renewed++;
  }
  reconnectNow() {}
  push(message: RealtimeMessage) {
    this.handlers.onMessage(message);
  }
}

class FakeClock implements Clock {
  readonly timers = new Map<number, { ms: number; callback: () => void }>();
  private next = 1;
  now() {
    return Date.parse(at);
  }
  setTimeout(callback: () => void, ms: number) {
    const id = this.next++;
    this.timers.set(id, { ms, callback });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.timers.delete(handle as number);
  }
}

class FakeProfile implements Profile {
  data: ProfileData = {};
  /** When set, the next update throws this. */
  failNext: Error | undefined;
  read() {
    return this.data;
  }
  update(change: Partial<ProfileData>) {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    this.data = { ...this.data, ...change };
    return this.data;
  }
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'latch-runner-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function device(reported: unknown[] = []) {
  const vault = new FakeVault();
  const clock = new FakeClock();
  const profile = new FakeProfile();
  let api!: FakeApi;
  let realtime: FakeRealtime | undefined;
  const controller = new SessionController({
    profile: 'default',
    dataDir,
    appVersion: '1.0.0',
    defaultServerUrl: 'http://127.0.0.1:4000',
    rotateEveryMs: 5_000,
    report: (error) => reported.push(error),
    ports: {
      vault: () => vault,
      api: (url, token) => (api = new FakeApi(token, url)) as unknown as Api,
      realtime: (_url, _token, handlers) => (realtime = new FakeRealtime(handlers)),
      clock,
      profile,
    },
  });
  const states: SessionState[] = [];
  controller.subscribe((event) => {
    if (event.type === 'state') states.push(event.state);
  });
  return {
    controller,
    vault,
    clock,
    profile,
    states,
    api: () => api,
    realtime: () => {
      assert.ok(realtime, 'the live channel was started');
      return realtime;
    },
  };
}

/** Until every promise callback queued so far has run (no timers, no clock). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('session runner', () => {
  it('sign-out vs reconnect: the answer to a check begun before the sign-out never shows signed in again', async () => {
    const d = device();
    await d.controller.start();
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.realtime().handlers.onOpen();
    assert.equal(d.api().rotations.length, 1, 'the reconnect asks the server');

    d.vault.deleteGate = new Gate();
    d.states.splice(0);
    d.realtime().push({ type: 'session.revoked', sessionId: 's1', reason: 'revoked_by_user', at, by: { deviceName: 'Desktop' } });
    // The check's answer arrives while the keychain entry is still being deleted.
    d.api().rotations[0]!.answer.resolve(result('lt_1'));
    await settle();
    assert.equal(d.states.length, 0, 'nothing is said until the keychain entry is gone');
    assert.equal(d.controller.getState().status, 'signedIn');

    d.vault.deleteGate.resolve();
    await settle();
    assert.deepEqual(
      d.states.map((s) => s.status),
      ['signedOut'],
    );
    assert.equal(d.vault.token, undefined);
    assert.ok(d.states[0]?.status === 'signedOut' && d.states[0].notice?.byDeviceName === 'Desktop');
    assert.equal(d.realtime().stopped, 1);
    assert.equal(d.clock.timers.size, 0, 'no timer outlives the session');
  });

  it('a replacement token is used only once the keychain holds it, and the socket is renewed then', async () => {
    const d = device();
    await d.controller.start();
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.realtime().handlers.onOpen();
    d.vault.writeGate = new Gate();
    d.api().rotations[0]!.answer.resolve(result('lt_2'));
    await settle();
    await d.controller.listSessions();
    assert.deepEqual(d.api().usedTokens, ['lt_1'], 'the old token while the new one is being written');
    assert.equal(d.realtime().renewed, 0);

    d.vault.writeGate.resolve();
    await settle();
    await d.controller.listSessions();
    assert.equal(d.api().usedTokens.at(-1), 'lt_2');
    assert.equal(d.vault.token, 'lt_2');
    assert.equal(d.realtime().renewed, 1);
  });

  it('start: says nothing until the server answers, then signed in and online', async () => {
    const d = device();
    d.vault.token = 'lt_1';
    d.profile.data = { lastAccount: { user, session } };
    const started = d.controller.start();
    await settle();
    assert.equal(d.controller.getState().status, 'starting');
    assert.equal(d.states.length, 0);
    d.api().rotations[0]!.answer.resolve(result('lt_1'));
    const state = await started;
    assert.ok(state.status === 'signedIn' && state.connection === 'online' && state.user.email === 'ada@example.com');
    assert.equal(d.realtime().started, 1);
  });

  it('start offline with nothing remembered: "resuming", never a made-up account', async () => {
    const d = device();
    d.vault.token = 'lt_1';
    const started = d.controller.start();
    await settle();
    d.api().rotations[0]!.answer.reject(new CoreError('offline', 'unreachable', 'The server cannot be reached.'));
    const state = await started;
    assert.equal(state.status, 'resuming');
    assert.ok(!JSON.stringify(d.states).includes('your account'));
    assert.equal(d.profile.data.lastAccount, undefined);
  });

  it('the rotation timer is set after every answer and fires a check', async () => {
    const d = device();
    await d.controller.start();
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.realtime().handlers.onOpen();
    d.api().rotations[0]!.answer.resolve(result('lt_1'));
    await settle();
    const rotateTimer = [...d.clock.timers.values()].find((t) => t.ms === 5_000);
    assert.ok(rotateTimer, 'the next rotation is scheduled');
    rotateTimer.callback();
    await settle();
    assert.equal(d.api().rotations.length, 2);
    d.controller.dispose();
    assert.equal(d.clock.timers.size, 0);
  });

  it('a passkey’s answer goes only to the server that gave its options: a server chosen in between ends the ceremony', async () => {
    const d = device();
    await d.controller.start();
    const answer = {} as Parameters<SessionController['signInWithPasskey']>[1];
    const asked = await d.controller.passkeySignInOptions('http://127.0.0.1:4000');
    // Another window asks a reset of another server while the authenticator's prompt is open.
    await d.controller.requestPasswordReset({ serverUrl: 'http://127.0.0.1:5000', email: 'ada@example.com' });
    await assert.rejects(d.controller.signInWithPasskey(asked.id, answer), { code: 'code_expired' });
    assert.deepEqual(d.api().passkeyAnswers, [], 'sent nowhere');
    const again = await d.controller.passkeySignInOptions('http://127.0.0.1:4000');
    await d.controller.signInWithPasskey(again.id, answer);
    assert.equal(d.api().passkeyAnswers.length, 1);
    assert.match(d.api().passkeyAnswers[0]!, /4000/);
  });

  it('a second sign-in while one is under way is refused', async () => {
    const d = device();
    await d.controller.start();
    const first = d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    await assert.rejects(d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' }), { code: 'busy' });
    await first;
  });

  it('an effect that fails (profile.json cannot be written) is reported, and the ones after it still run', async () => {
    const reported: unknown[] = [];
    const d = device(reported);
    await d.controller.start();
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.profile.failNext = new Error('EROFS: read-only file system');
    d.realtime().push({ type: 'session.revoked', sessionId: 's1', reason: 'revoked_by_user', at });
    await settle();
    assert.equal(d.controller.getState().status, 'signedOut', 'every window is still told');
    assert.equal(d.vault.token, undefined);
    assert.equal(reported.length, 1);
    // The queue still runs: a new sign-in works.
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    assert.equal(d.controller.getState().status, 'signedIn');
  });

  it('signed out by its own push, then signed in again before the logout answered: the new sign-in stays', async () => {
    const d = device();
    await d.controller.start();
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.api().logoutGate = new Gate();
    const signingOut = d.controller.signOut();
    await settle();
    d.realtime().push({ type: 'session.revoked', sessionId: 's1', reason: 'signed_out', at });
    await settle();
    assert.equal(d.controller.getState().status, 'signedOut');
    d.api().login = async () => result('lt_2');
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.api().logoutGate!.resolve();
    await signingOut;
    assert.equal(d.controller.getState().status, 'signedIn');
    assert.equal(d.vault.token, 'lt_2');
  });

  it('after dispose (quitting), a late answer starts nothing', async () => {
    const d = device();
    await d.controller.start();
    await d.controller.signIn({ mode: 'signIn', serverUrl: 'http://127.0.0.1:4000', email: 'ada@example.com', password: 'x' });
    d.realtime().handlers.onOpen();
    d.controller.dispose();
    d.api().rotations[0]!.answer.resolve(result('lt_1'));
    await settle();
    assert.equal(d.clock.timers.size, 0);
  });

  it('while its calls cannot reach the server, it asks again within seconds, doubling, not on the rotation schedule', async () => {
    const d = device();
    d.vault.token = 'lt_1';
    const started = d.controller.start();
    await settle();
    d.api().rotations[0]!.answer.reject(new CoreError('offline', 'unreachable', 'The server cannot be reached.'));
    await started;
    assert.equal(d.controller.getState().status, 'resuming');
    const rotateTimer = () => {
      const timers = [...d.clock.timers.values()];
      assert.equal(timers.length, 1, 'one timer: the next check');
      return timers[0]!;
    };
    // The live channel may be up while calls fail (a proxy that drops them): nothing else would ask again.
    assert.equal(rotateTimer().ms, 1_000);
    rotateTimer().callback();
    await settle();
    d.api().rotations[1]!.answer.reject(new CoreError('offline', 'unreachable', 'The server cannot be reached.'));
    await settle();
    const second = rotateTimer().ms;
    assert.ok(second >= 1_000 && second <= 2_000, `the second wait (${second} ms) is longer`);
    rotateTimer().callback();
    await settle();
    d.api().rotations[2]!.answer.resolve(result('lt_1'));
    await settle();
    assert.equal(d.controller.getState().status, 'signedIn');
    assert.ok([...d.clock.timers.values()].some((t) => t.ms === 5_000), 'answered: back to the rotation schedule');
  });
});
