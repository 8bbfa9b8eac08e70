// The session state machine, one transition at a time: pure, no server, no keychain, no timers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthResult, SessionView } from '../../shared/api.js';
import type { KeychainState, Notice } from '../../shared/ipc.js';
import { CoreError } from '../../shared/session/errors.js';
import { failureOf, initialState, publicState, step, type Account, type Effect, type MachineEvent, type MachineState } from '../../shared/session/machine.js';

const at = '2026-11-26T12:00:00.000Z';
const session = (id: string, deviceName = 'Laptop'): SessionView => ({
  id,
  deviceName,
  platform: 'linux',
  appVersion: '1.0.0',
  ip: '127.0.0.1',
  location: { kind: 'this_computer' },
  createdAt: at,
  lastSeenAt: at,
  expiresAt: '2026-12-26T12:00:00.000Z',
  current: true,
  online: true,
});
const account: Account = { user: { id: 'u1', email: 'ada@example.com', createdAt: at, emailVerified: true }, session: session('s1') };
const result = (token: string): AuthResult => ({ token, ...account });
const revokedNotice: Notice = { reason: 'revoked_by_user', at, byDeviceName: 'Desktop' };

/** Runs events from a state; returns the last state and every effect, in order. */
function run(from: MachineState, ...events: MachineEvent[]): { state: MachineState; effects: Effect[] } {
  let state = from;
  const effects: Effect[] = [];
  for (const event of events) {
    const next = step(state, event);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}
const types = (effects: Effect[]) => effects.map((e) => e.type);
const published = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'publish' ? [e.state] : []));

const signedIn = (over: Partial<Extract<MachineState, { status: 'signedIn' }>> = {}): MachineState => ({
  status: 'signedIn',
  token: 'lt_old',
  account,
  connection: 'online',
  socketOpen: true,
  ...over,
});
const restoring = (over: Partial<Extract<MachineState, { status: 'restoring' }>> = {}): MachineState => ({
  status: 'restoring',
  token: 'lt_old',
  account,
  connection: 'connecting',
  socketOpen: false,
  ...over,
});

describe('session machine: start', () => {
  it('no token in the keychain: signed out, and every window is told', () => {
    const { state, effects } = run(initialState, { type: 'started', token: undefined, replaced: false, remembered: undefined });
    assert.deepEqual(state, { status: 'signedOut' });
    assert.deepEqual(types(effects), ['publish']);
  });

  it('a token the profile says was replaced is deleted, never presented', () => {
    const { state, effects } = run(initialState, { type: 'started', token: 'lt_old', replaced: true, remembered: account });
    assert.equal(state.status, 'signedOut');
    assert.deepEqual(types(effects), ['deleteToken', 'rememberReplaced', 'rememberAccount', 'publish']);
    assert.ok(!effects.some((e) => e.type === 'rotate'));
  });

  it('a token: ask the server (renewing it) before saying anything', () => {
    const { state, effects } = run(initialState, { type: 'started', token: 'lt_old', replaced: false, remembered: account });
    assert.equal(state.status, 'restoring');
    assert.deepEqual(effects, [{ type: 'rotate', presented: 'lt_old', retried: false }]);
    assert.deepEqual(publicState(state, 'http://127.0.0.1:4000', { kind: 'os' }), { status: 'starting' });
  });

  it('a second start is ignored', () => {
    assert.deepEqual(run(signedIn(), { type: 'started', token: 'lt_x', replaced: false, remembered: undefined }).effects, []);
  });

  it('the server answers with the same token: signed in and online, then the socket starts', () => {
    const { state, effects } = run(restoring(), { type: 'rotated', presented: 'lt_old', result: result('lt_old') });
    assert.equal(state.status, 'signedIn');
    assert.ok(state.status === 'signedIn' && state.connection === 'online' && state.token === 'lt_old');
    // Last, what changed on the account while the app was closed (a recovery code used) is caught up with.
    assert.deepEqual(types(effects), ['rememberAccount', 'publish', 'setTimer', 'startRealtime', 'setTimer', 'catchUpAccount']);
  });

  it('the server answers with a new token: it is written to the keychain before it is used or anything is said', () => {
    const first = run(restoring(), { type: 'rotated', presented: 'lt_old', result: result('lt_new') });
    assert.equal(first.state.status, 'restoring');
    assert.ok(first.state.status === 'restoring' && first.state.token === 'lt_old' && first.state.storing === 'lt_new');
    assert.deepEqual(first.effects, [{ type: 'storeReplacement', presented: 'lt_old', token: 'lt_new', account }]);

    const stored = run(first.state, { type: 'tokenStored', presented: 'lt_old', token: 'lt_new', account, stored: true, keychainWas: 'os' });
    assert.ok(stored.state.status === 'signedIn' && stored.state.token === 'lt_new' && stored.state.storing === undefined);
    assert.deepEqual(types(stored.effects).slice(0, 3), ['renewRealtime', 'rememberAccount', 'publish']);
  });

  it('offline at start with a remembered account: signed in, offline, and still trying', () => {
    const { state, effects } = run(restoring(), { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'offline' }, retried: false });
    assert.ok(state.status === 'signedIn' && state.connection === 'offline');
    assert.deepEqual(types(effects), ['rememberAccount', 'publish', 'setTimer', 'startRealtime', 'setTimer']);
  });

  it('offline at start with nothing remembered: "resuming", with no made-up account', () => {
    const { state, effects } = run(restoring({ account: undefined }), { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'offline' }, retried: false });
    const shown = published(effects).map((s) => publicState(s, 'http://127.0.0.1:4000', { kind: 'os' }));
    assert.deepEqual(shown, [{ status: 'resuming', serverUrl: 'http://127.0.0.1:4000', keychain: { kind: 'os' }, connection: 'offline' }]);
    assert.ok(!effects.some((e) => e.type === 'rememberAccount' || (e.type === 'setTimer' && e.timer === 'expiry')));
    // The server answers later: the account appears.
    const back = run(state, { type: 'socketOpened' }, { type: 'rotated', presented: 'lt_old', result: result('lt_old') });
    assert.ok(back.state.status === 'signedIn' && back.state.account?.user.email === 'ada@example.com' && back.state.connection === 'online');
  });

  it('the session ended while the app was closed: signed out with the notice, the keychain entry gone before anyone is told', () => {
    const { state, effects } = run(restoring(), { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'ended', notice: revokedNotice }, retried: false });
    assert.deepEqual(state, { status: 'signedOut', notice: revokedNotice });
    assert.deepEqual(types(effects), ['stopRealtime', 'clearTimers', 'deleteToken', 'rememberAccount', 'clearAlerts', 'publish']);
  });
});

describe('session machine: sign-in and sign-out', () => {
  it('signing in shows "signing in", then stores the token before saying signed in', () => {
    const started = run({ status: 'signedOut' }, { type: 'signInStarted', email: 'ada@example.com' });
    assert.deepEqual(started.state, { status: 'signingIn', email: 'ada@example.com' });
    assert.deepEqual(types(started.effects), ['publish']);
    const done = run(started.state, { type: 'signInSucceeded', result: result('lt_1') });
    assert.ok(done.state.status === 'signedIn' && done.state.token === 'lt_1' && done.state.connection === 'online');
    assert.deepEqual(types(done.effects), ['writeToken', 'rememberAccount', 'publish', 'setTimer', 'startRealtime']);
  });

  it('a refused sign-in goes back to signed out', () => {
    const { state, effects } = run({ status: 'signingIn', email: 'ada@example.com' }, { type: 'signInFailed' });
    assert.deepEqual(state, { status: 'signedOut' });
    assert.deepEqual(types(effects), ['publish']);
  });

  it('a sign-in answer that arrives when no sign-in is under way is ignored', () => {
    assert.deepEqual(run({ status: 'signedOut' }, { type: 'signInSucceeded', result: result('lt_1') }).effects, []);
    assert.deepEqual(run(signedIn(), { type: 'signInStarted', email: 'ada@example.com' }).effects, []);
  });

  it('signing out: forget everything, and no notice, even when the server pushes the sign-out first', () => {
    const { state, effects } = run(
      signedIn(),
      { type: 'signOutStarted' },
      { type: 'message', message: { type: 'session.revoked', sessionId: 's1', reason: 'signed_out', at } },
      { type: 'ended', notice: { reason: 'signed_out', at }, showNotice: false },
    );
    assert.deepEqual(state, { status: 'signedOut' });
    assert.equal(published(effects).length, 1, 'one end, told once');
  });

  it('the notice can be dismissed', () => {
    const { state, effects } = run({ status: 'signedOut', notice: revokedNotice }, { type: 'noticeDismissed' });
    assert.deepEqual(state, { status: 'signedOut' });
    assert.deepEqual(types(effects), ['publish']);
    assert.deepEqual(run(state, { type: 'noticeDismissed' }).effects, []);
  });

  it('an end that arrives when signed out already changes nothing', () => {
    assert.deepEqual(run({ status: 'signedOut' }, { type: 'ended', notice: revokedNotice, showNotice: true }).effects, []);
  });
});

describe('session machine: the live channel', () => {
  it('a socket opens: ask the server (renewing the token), and say online only when it answers', () => {
    const opened = run(signedIn({ connection: 'connecting', socketOpen: false }), { type: 'socketOpened' });
    assert.ok(opened.state.status === 'signedIn' && opened.state.connection === 'connecting' && opened.state.socketOpen);
    assert.deepEqual(opened.effects, [{ type: 'rotate', presented: 'lt_old', retried: false }]);
    const answered = run(opened.state, { type: 'rotated', presented: 'lt_old', result: result('lt_old') });
    assert.ok(answered.state.status === 'signedIn' && answered.state.connection === 'online');
    assert.ok(types(answered.effects).includes('refreshSessions'), 'the list may have changed while away');
  });

  it('a check answered while the socket is still down (a refused upgrade) reloads nothing: the opening will', () => {
    const { effects } = run(signedIn({ connection: 'connecting', socketOpen: false }), { type: 'rotated', presented: 'lt_old', result: result('lt_old') });
    assert.deepEqual(types(effects).filter((t) => t === 'refreshSessions' || t === 'refreshSignInRequests' || t === 'catchUpAccount'), []);
  });

  it('at start, no session to end (the account page without its cookie): signed out with no notice', () => {
    const restoring: MachineState = { status: 'restoring', token: 'cookie:', account: undefined, connection: 'connecting', socketOpen: false };
    const { state } = run(restoring, { type: 'rotateFailed', presented: 'cookie:', failure: { kind: 'ended' }, retried: false });
    assert.deepEqual(state, { status: 'signedOut' });
  });

  it('the server answers while the socket is down again: connecting, not online', () => {
    const { state } = run(signedIn({ connection: 'connecting', socketOpen: false }), { type: 'rotated', presented: 'lt_old', result: result('lt_old') });
    assert.ok(state.status === 'signedIn' && state.connection === 'connecting');
  });

  it('a dropped socket: connecting, then offline on the next failure', () => {
    const first = run(signedIn(), { type: 'socketDown' });
    assert.ok(first.state.status === 'signedIn' && first.state.connection === 'connecting' && !first.state.socketOpen);
    const second = run(first.state, { type: 'socketDown' });
    assert.ok(second.state.status === 'signedIn' && second.state.connection === 'offline');
    assert.deepEqual(run(second.state, { type: 'socketDown' }).effects, [], 'nothing new to say');
  });

  for (const status of [401, 429]) {
    it(`an upgrade refused with ${status}: ask the server rather than assume`, () => {
      const { effects } = run(signedIn(), { type: 'socketDown', rejectedWithStatus: status });
      assert.deepEqual(effects, [{ type: 'rotate', presented: 'lt_old', retried: false }]);
    });
  }

  it('session.revoked for this device ends the session with who, where and when', () => {
    const { state, effects } = run(signedIn(), {
      type: 'message',
      message: { type: 'session.revoked', sessionId: 's1', reason: 'revoked_by_user', at, by: { deviceName: 'Desktop', location: { kind: 'local_network' } } },
    });
    assert.deepEqual(state, { status: 'signedOut', notice: { reason: 'revoked_by_user', at, byDeviceName: 'Desktop', byLocation: { kind: 'local_network' } } });
    assert.equal(types(effects).at(-1), 'publish', 'told last, once the keychain entry is gone');
  });

  it('session.revoked for another device changes nothing here', () => {
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'session.revoked', sessionId: 's2', reason: 'revoked_by_user', at } }).effects, []);
  });

  it('another device signs in: an alert; this device itself: none', () => {
    const other = session('s2', 'Phone');
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'session.created', session: other } }).effects, [{ type: 'newSignInAlert', session: other }]);
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'session.created', session: session('s1') } }).effects, []);
  });

  it('a sign-in this device approved: no alert here; approved by another device: an alert', () => {
    const other = session('s2', 'Phone');
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'session.created', session: other, approvedBy: 's1' } }).effects, []);
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'session.created', session: other, approvedBy: 's3' } }).effects, [
      { type: 'newSignInAlert', session: other },
    ]);
  });

  it('a copied sign-in: an alert, and the list reloaded', () => {
    const usedFrom = { ip: '203.0.113.9', location: { kind: 'internet' as const, country: 'FR' } };
    const { effects } = run(signedIn(), { type: 'message', message: { type: 'session.token_reused', sessionId: 's2', deviceName: 'Home', platform: 'linux', usedFrom, at } });
    assert.deepEqual(effects, [{ type: 'copiedSignInAlert', alert: { sessionId: 's2', deviceName: 'Home', platform: 'linux', usedFrom, at } }, { type: 'refreshSessions' }]);
  });

  it('sessions.changed reloads the list; presence is passed on', () => {
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'sessions.changed' } }).effects, [{ type: 'refreshSessions' }]);
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'session.presence', sessionId: 's2', online: false } }).effects, [
      { type: 'presence', sessionId: 's2', online: false },
    ]);
  });

  it('pushes that arrive when signed out are ignored', () => {
    assert.deepEqual(run({ status: 'signedOut' }, { type: 'socketOpened' }, { type: 'message', message: { type: 'sessions.changed' } }).effects, []);
  });
});

describe('session machine: token rotation', () => {
  it('a keychain that fails mid-write: the replaced token is remembered so it is never presented again', () => {
    const { state, effects } = run(signedIn({ storing: 'lt_new' }), { type: 'tokenStored', presented: 'lt_old', token: 'lt_new', account, stored: false, keychainWas: 'os' });
    assert.ok(state.status === 'signedIn' && state.token === 'lt_new');
    assert.deepEqual(effects[0], { type: 'rememberReplaced', presented: 'lt_old' });
  });

  it('already memory-only: nothing to remember', () => {
    const { effects } = run(signedIn({ storing: 'lt_new' }), { type: 'tokenStored', presented: 'lt_old', token: 'lt_new', account, stored: false, keychainWas: 'memory-only' });
    assert.ok(!effects.some((e) => e.type === 'rememberReplaced'));
  });

  it('a second answer with the same replacement while it is being stored does not write it twice', () => {
    const { effects } = run(signedIn({ storing: 'lt_new' }), { type: 'rotated', presented: 'lt_old', result: result('lt_new') });
    assert.ok(!effects.some((e) => e.type === 'storeReplacement'));
  });

  it('an answer for a token since replaced updates the account only', () => {
    const { state, effects } = run(signedIn({ token: 'lt_newer' }), { type: 'rotated', presented: 'lt_old', result: result('lt_new') });
    assert.ok(state.status === 'signedIn' && state.token === 'lt_newer');
    assert.ok(!effects.some((e) => e.type === 'storeReplacement'));
  });

  it('a conflict is retried once, then counts as a failure', () => {
    const first = run(signedIn(), { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'conflict' }, retried: false });
    assert.deepEqual(first.effects, [{ type: 'rotate', presented: 'lt_old', retried: true }]);
    const second = run(signedIn(), { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'conflict' }, retried: true });
    assert.ok(second.state.status === 'signedIn' && second.state.connection === 'offline');
  });

  it('the rotation timer and the expiry timer both ask the server', () => {
    for (const timer of ['rotate', 'expiry'] as const) {
      assert.deepEqual(run(signedIn(), { type: 'timerFired', timer }).effects, [{ type: 'rotate', presented: 'lt_old', retried: false }]);
    }
    assert.deepEqual(run({ status: 'signedOut' }, { type: 'timerFired', timer: 'rotate' }).effects, []);
  });
});

describe('session machine: races', () => {
  it('sign-out vs reconnect: a rotation answered after the session ended never says signed in again', () => {
    // A socket reopens and the check is in flight; then the device is signed out from elsewhere.
    const { state, effects } = run(
      signedIn({ connection: 'connecting', socketOpen: false }),
      { type: 'socketOpened' },
      { type: 'message', message: { type: 'session.revoked', sessionId: 's1', reason: 'revoked_by_user', at } },
      { type: 'rotated', presented: 'lt_old', result: result('lt_old') },
    );
    assert.equal(state.status, 'signedOut');
    assert.deepEqual(
      published(effects).map((s) => s.status),
      ['signedOut'],
      'signed out once, and nothing after',
    );
  });

  it('sign-out vs a replacement being stored: the keychain entry is deleted again once the write lands', () => {
    const { state, effects } = run(
      signedIn({ storing: 'lt_new' }),
      { type: 'ended', notice: revokedNotice, showNotice: true },
      { type: 'tokenStored', presented: 'lt_old', token: 'lt_new', account, stored: true, keychainWas: 'os' },
    );
    assert.equal(state.status, 'signedOut');
    assert.equal(types(effects).at(-1), 'deleteToken');
    assert.ok(!published(effects).some((s) => s.status === 'signedIn'));
  });

  it('signed in again meanwhile: the old write landing does not delete the new sign-in', () => {
    const { effects } = run(signedIn({ token: 'lt_other' }), { type: 'tokenStored', presented: 'lt_old', token: 'lt_new', account, stored: true, keychainWas: 'os' });
    assert.deepEqual(effects, []);
  });
});

describe('session machine: answers about an earlier sign-in', () => {
  // Signed out (its end pushed before the logout's answer) and signed in again: late answers about the
  // old token must leave the new sign-in alone.
  const fresh = signedIn({ token: 'lt_new' });

  it('the logout answer of the earlier sign-in does not end this one', () => {
    assert.deepEqual(run(fresh, { type: 'ended', notice: { reason: 'signed_out', at }, showNotice: false, token: 'lt_old' }).effects, []);
  });

  it('a 401 to a call made with the earlier token does not end this one', () => {
    assert.deepEqual(run(fresh, { type: 'callSettled', token: 'lt_old', failure: { kind: 'ended', notice: revokedNotice } }).effects, []);
  });

  it('a rotation answered for the earlier token changes nothing, not even the account shown', () => {
    assert.deepEqual(run(fresh, { type: 'rotated', presented: 'lt_old', result: { ...result('lt_x'), user: { ...account.user, email: 'old@example.com' } } }).effects, []);
    assert.deepEqual(run(fresh, { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'ended', notice: revokedNotice }, retried: false }).effects, []);
  });

  it('a conflict for the token just replaced asks again with the new one, instead of saying offline', () => {
    const { state, effects } = run(signedIn({ token: 'lt_new', replaced: 'lt_old' }), { type: 'rotateFailed', presented: 'lt_old', failure: { kind: 'conflict' }, retried: false });
    assert.deepEqual(effects, [{ type: 'rotate', presented: 'lt_new', retried: true }]);
    assert.ok(state.status === 'signedIn' && state.connection === 'online');
  });

  it('the token a replacement took the place of still counts as this sign-in’s', () => {
    const stored = run(signedIn({ storing: 'lt_new' }), { type: 'tokenStored', presented: 'lt_old', token: 'lt_new', account, stored: true, keychainWas: 'os' });
    assert.ok(stored.state.status === 'signedIn' && stored.state.replaced === 'lt_old');
    const ended = run(stored.state, { type: 'callSettled', token: 'lt_old', failure: { kind: 'ended', notice: revokedNotice } });
    assert.equal(ended.state.status, 'signedOut');
  });

  it('resuming (account unknown): a session.revoked push makes it ask the server rather than ignore it', () => {
    const { effects } = run(signedIn({ account: undefined }), { type: 'message', message: { type: 'session.revoked', sessionId: 's9', reason: 'revoked_by_user', at } });
    assert.deepEqual(effects, [{ type: 'rotate', presented: 'lt_old', retried: false }]);
  });
});

describe('session machine: sign-in approval', () => {
  const pending = { pending: { id: 'r'.repeat(22), secret: 's'.repeat(43), number: 47, expiresAt: '2026-11-26T12:02:00.000Z' } };
  const waiting = (): MachineState => run({ status: 'signingIn', email: 'ada@example.com' }, { type: 'approvalPending', pending }).state;

  it('a pending answer to the sign-in: waiting, showing the number, and long polling for the answer', () => {
    const { state, effects } = run({ status: 'signingIn', email: 'ada@example.com' }, { type: 'approvalPending', pending });
    assert.equal(state.status, 'awaitingApproval');
    assert.deepEqual(types(effects), ['publish', 'waitForApproval']);
    const shown = publicState(state, 'http://127.0.0.1:4000', { kind: 'os' });
    assert.deepEqual(shown, { status: 'awaitingApproval', serverUrl: 'http://127.0.0.1:4000', keychain: { kind: 'os' }, email: 'ada@example.com', number: 47, expiresAt: pending.pending.expiresAt });
    assert.ok(!JSON.stringify(shown).includes('s'.repeat(43)), 'the secret stays in the core');
  });

  it('approved: signed in, the token stored before anyone is told', () => {
    const { state, effects } = run(waiting(), { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'approved', result: result('lt_1'), byDeviceName: 'Desktop' } });
    assert.ok(state.status === 'signedIn' && state.token === 'lt_1');
    assert.deepEqual(types(effects).slice(0, 3), ['writeToken', 'rememberAccount', 'publish']);
  });

  it('denied, the wrong number, or expired: signed out saying which and by whom', () => {
    const denied = run(waiting(), { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'denied', reason: 'wrong_number', byDeviceName: 'Desktop', at } });
    assert.deepEqual(denied.state, { status: 'signedOut', refused: { outcome: 'wrong_number', byDeviceName: 'Desktop' } });
    const expired = run(waiting(), { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'expired' } });
    assert.deepEqual(expired.state, { status: 'signedOut', refused: { outcome: 'expired' } });
    assert.deepEqual(run(expired.state, { type: 'noticeDismissed' }).state, { status: 'signedOut' });
  });

  it('a wrong number forgiven on another device: still waiting, and every window is told which device', () => {
    const { state, effects } = run(waiting(), {
      type: 'approvalAnswered',
      id: pending.pending.id,
      state: { state: 'pending', expiresAt: pending.pending.expiresAt, wrongPick: { byDeviceName: 'Desktop' } },
    });
    assert.ok(state.status === 'awaitingApproval' && state.wrongPickBy === 'Desktop');
    assert.deepEqual(published(effects).map((s) => s.status === 'awaitingApproval' && s.wrongPickBy), ['Desktop']);
    assert.deepEqual(run(state, { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'pending', expiresAt: pending.pending.expiresAt, wrongPick: { byDeviceName: 'Desktop' } } }).effects, []);
  });

  it('still pending: nothing changes and nothing is shown again', () => {
    const before = waiting();
    const after = run(before, { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'pending', expiresAt: pending.pending.expiresAt } });
    assert.equal(after.state, before);
    assert.deepEqual(after.effects, []);
  });

  it('cancelled: signed out, and the request withdrawn; an answer to another request is ignored', () => {
    const { state, effects } = run(waiting(), { type: 'approvalCancelled' });
    assert.deepEqual(state, { status: 'signedOut' });
    assert.deepEqual(effects[0], { type: 'cancelRequest', id: pending.pending.id, secret: pending.pending.secret });
    assert.deepEqual(run(waiting(), { type: 'approvalAnswered', id: 'other', state: { state: 'expired' } }).effects, []);
  });

  it('while a recovery code is tried, the wait hearing the request end is not an expiry; a refused code waits again', () => {
    const trying = run(waiting(), { type: 'recoveryStarted' });
    assert.deepEqual(run(trying.state, { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'expired' } }).effects, []);
    const signedInNow = run(trying.state, { type: 'signInSucceeded', result: result('lt_1') });
    assert.equal(signedInNow.state.status, 'signedIn');
    const refused = run(trying.state, { type: 'recoveryFailed' });
    assert.ok(refused.state.status === 'awaitingApproval' && !refused.state.recovering);
    assert.deepEqual(refused.effects, [{ type: 'waitForApproval', id: pending.pending.id, secret: pending.pending.secret }]);
  });

  it('an approval that arrives while a recovery code is checked signs in: its session is this device’s, handed over once', () => {
    const trying = run(waiting(), { type: 'recoveryStarted' });
    const approved = run(trying.state, { type: 'approvalAnswered', id: pending.pending.id, state: { state: 'approved', result: result('lt_approved'), byDeviceName: 'Desktop' } });
    assert.equal(approved.state.status, 'signedIn');
    assert.ok(approved.state.status === 'signedIn' && approved.state.token === 'lt_approved');
    assert.deepEqual(types(approved.effects).slice(0, 1), ['writeToken']);
    assert.deepEqual(run(approved.state, { type: 'recoveryFailed' }).effects, [], 'the code, refused since, changes nothing');
  });

  it('on a signed-in device: a request is a prompt; answered anywhere, it goes', () => {
    const request = { id: pending.pending.id, deviceName: 'New laptop', platform: 'linux' as const, ip: '203.0.113.9', location: { kind: 'unknown' as const }, createdAt: at, expiresAt: pending.pending.expiresAt, choices: [12, 47, 80] };
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'signin.requested', request } }).effects, [{ type: 'signInRequestAlert', request }]);
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'signin.resolved', id: request.id, outcome: 'approved', byDeviceName: 'Desktop' } }).effects, [
      { type: 'signInRequestResolved', id: request.id, outcome: 'approved' },
    ]);
    const change = { what: 'approval_turned_off' as const, sessionId: 'other-session-id-000000', byDeviceName: 'Desktop', at };
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'account.changed', change } }).effects, [{ type: 'accountChanged', change }], 'another device did it: said how');
    const own = { ...change, sessionId: account.session.id };
    assert.deepEqual(run(signedIn(), { type: 'message', message: { type: 'account.changed', change: own } }).effects, [{ type: 'accountChanged' }], 'this device did it: only reloaded');
  });
});

describe('session machine: a mailed code after many wrong passwords elsewhere (step-up)', () => {
  const stepUp = { stepUp: { id: '3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4a3b2c', expiresAt: '2026-11-26T12:15:00.000Z' } };
  const signingIn: MachineState = { status: 'signingIn', email: 'ada@example.com' };
  const keychain: KeychainState = { kind: 'os', store: 'secret_service' };

  it('waits for the code, showing where it went and until when', () => {
    const { state, effects } = run(signingIn, { type: 'codeRequired', purpose: 'stepUp', code: stepUp.stepUp });
    assert.equal(state.status, 'awaitingCode');
    assert.deepEqual(publicState(state, 'https://latch.example', keychain), {
      status: 'awaitingCode',
      serverUrl: 'https://latch.example',
      keychain,
      email: 'ada@example.com',
      purpose: 'stepUp',
      expiresAt: stepUp.stepUp.expiresAt,
    });
    assert.deepEqual(types(effects), ['publish']);
  });

  it('signs in with the code, or goes on to ask a device when approval is on; a cancel or an ended code signs out', () => {
    const waiting = run(signingIn, { type: 'codeRequired', purpose: 'stepUp', code: stepUp.stepUp }).state;
    assert.equal(run(waiting, { type: 'signInSucceeded', result: result('lt_new') }).state.status, 'signedIn');
    const pending = { pending: { id: 'r'.repeat(22), secret: 's'.repeat(43), number: 42, expiresAt: at } };
    assert.equal(run(waiting, { type: 'approvalPending', pending }).state.status, 'awaitingApproval');
    assert.equal(run(waiting, { type: 'approvalCancelled' }).state.status, 'signedOut');
    assert.equal(run(waiting, { type: 'signInFailed' }).state.status, 'signedOut');
  });

  it('an account with authenticator codes on asks for the app’s code after the mailed one; no other code replaces a wait', () => {
    const waiting = run(signingIn, { type: 'codeRequired', purpose: 'stepUp', code: stepUp.stepUp }).state;
    const secondFactor = { id: '4a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d', expiresAt: '2026-11-26T12:05:00.000Z' };
    const { state } = run(waiting, { type: 'codeRequired', purpose: 'authenticator', code: secondFactor });
    assert.deepEqual(state.status === 'awaitingCode' && [state.purpose, state.code.id, state.email], ['authenticator', secondFactor.id, 'ada@example.com']);
    assert.equal(run(state, { type: 'codeRequired', purpose: 'stepUp', code: stepUp.stepUp }).state, state, 'the app’s code is not undone by another');
    assert.equal(run(state, { type: 'signInSucceeded', result: result('lt_new') }).state.status, 'signedIn');
  });
});

describe('session machine: calls', () => {
  it('a call answered while marked offline with the socket up: online again', () => {
    const { state, effects } = run(signedIn({ connection: 'offline', socketOpen: true }), { type: 'callSettled', token: 'lt_old' });
    assert.ok(state.status === 'signedIn' && state.connection === 'online');
    assert.deepEqual(types(effects), ['publish']);
    assert.deepEqual(run(signedIn({ connection: 'offline', socketOpen: false }), { type: 'callSettled', token: 'lt_old' }).effects, []);
  });

  it('a call failing offline: offline, try the socket now, and ask the server again soon', () => {
    const { state, effects } = run(signedIn(), { type: 'callSettled', token: 'lt_old', failure: { kind: 'offline' } });
    assert.ok(state.status === 'signedIn' && state.connection === 'offline');
    assert.deepEqual(types(effects), ['publish', 'reconnectNow', 'setTimer']);
  });

  it('a call answered 401: the session is over', () => {
    const { state } = run(signedIn(), { type: 'callSettled', token: 'lt_old', failure: { kind: 'ended', notice: revokedNotice } });
    assert.deepEqual(state, { status: 'signedOut', notice: revokedNotice });
  });

  it('a refused call changes nothing', () => {
    assert.deepEqual(run(signedIn(), { type: 'callSettled', token: 'lt_old', failure: { kind: 'other' } }).effects, []);
  });

  it('a rename updates the account, remembers it and tells every window', () => {
    const renamed = session('s1', 'Ada’s laptop');
    const { state, effects } = run(signedIn(), { type: 'renamed', session: renamed });
    assert.ok(state.status === 'signedIn' && state.account?.session.deviceName === 'Ada’s laptop');
    assert.deepEqual(types(effects), ['rememberAccount', 'publish']);
  });
});

describe('session machine: what a failure means', () => {
  it('only an authoritative 401 with a notice ends the session', () => {
    assert.deepEqual(failureOf(new CoreError('unauthorized', 'session_revoked', 'x', { signOut: revokedNotice })), { kind: 'ended', notice: revokedNotice });
    assert.deepEqual(failureOf(new CoreError('offline', 'timeout', 'x')), { kind: 'offline' });
    assert.deepEqual(failureOf(new CoreError('rejected', 'conflict', 'x')), { kind: 'conflict' });
    assert.deepEqual(failureOf(new CoreError('rejected', 'rate_limited', 'x')), { kind: 'other' });
    assert.deepEqual(failureOf(new Error('boom')), { kind: 'other' });
  });

  it('what every window sees never carries the token', () => {
    const keychain: KeychainState = { kind: 'os', store: 'secret_service' };
    for (const state of [signedIn(), restoring(), signedIn({ account: undefined, storing: 'lt_new' })]) {
      assert.ok(!JSON.stringify(publicState(state, 'http://127.0.0.1:4000', keychain)).includes('lt_'));
    }
  });
});
