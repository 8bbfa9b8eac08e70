// The validated-session cache: what the bus says empties it, and it is not
// used at all while the bus may be missing events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthContext } from '../../server/http/request-context.js';
import { SessionEventBus, type BusTransport } from '../../server/events/bus.js';
import type { BusSignal } from '../../server/events/session-events.js';
import { AuthService } from '../../server/auth/auth.service.js';
import { Locator } from '../../server/sessions/locations.js';
import { SessionCache } from '../../server/sessions/session-cache.js';
import { toSessionView } from '../../server/sessions/session-view.js';
import type { SessionsService } from '../../server/sessions/sessions.service.js';
import { ManualClock } from '../support/clock.js';

/** Like PostgreSQL's LISTEN: the transport brings this instance's own events back, and can go down. */
class TestTransport implements BusTransport {
  readonly echoesOwnEvents = true;
  up = true;
  deliver: (signal: BusSignal) => void = () => undefined;
  get live(): boolean {
    return this.up;
  }
  async beforeCommit(): Promise<void> {}
  async start(deliver: (signal: BusSignal) => void): Promise<void> {
    this.deliver = deliver;
  }
  async stop(): Promise<void> {}
}

class TestBus extends SessionEventBus {
  private readonly test: TestTransport;
  constructor() {
    const transport = new TestTransport();
    super(transport);
    this.test = transport;
    void this.start();
  }
  get up(): boolean {
    return this.test.up;
  }
  set up(value: boolean) {
    this.test.up = value;
  }
  say(signal: BusSignal): void {
    this.test.deliver(signal);
  }
}

function auth(userId: string, sessionId: string): AuthContext {
  const session = {
    id: sessionId,
    user_id: userId,
    token_hash: `hash-${sessionId}`,
    device_name: 'Laptop',
    platform: 'linux',
    os: null,
    app_version: '1',
    ip: '127.0.0.1',
    user_agent: 'test',
    created_at: 1,
    last_seen_at: 1,
    idle_expires_at: 2,
    expires_at: 3,
    revoked_at: null,
    revoke_reason: null,
    revoked_by: null,
    reused_from_ip: null,
    prev_token_hash: null,
    next_token_hash: null,
    rotation_nonce: null,
    next_nonce: null,
    superseded: 0,
    next_from_ip: null,
    rotated_at: 1,
    token_from_ip: '127.0.0.1',
    reauth_at: null,
    reentered_at: null,
    online_until: null,
    online_by: null,
    kind: 'app' as const,
    signed_in_with: 'password' as const,
    approved_on: null,
    approved_by: null,
  };
  return { user: { id: userId, email: `${userId}@example.test`, created_at: 1, email_verified_at: 1 }, session };
}

describe('session cache', () => {
  it('forgets every session of an account when the bus mentions that account', () => {
    const bus = new TestBus();
    const cache = new SessionCache(bus);
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    cache.set('a2', auth('ann', 's2'), cache.epoch);
    cache.set('b1', auth('bob', 's3'), cache.epoch);
    bus.say({ kind: 'sessions.changed', userId: 'ann' });
    assert.equal(cache.get('a1'), undefined);
    assert.equal(cache.get('a2'), undefined);
    assert.equal(cache.get('b1')?.session.id, 's3');
    bus.say({ kind: 'session.revoked', userId: 'bob', sessionId: 's3', reason: 'revoked_by_user', at: 5 });
    assert.equal(cache.get('b1'), undefined);
  });

  it("forgets an account at this instance's own commit, before the bus brings it", () => {
    const bus = new TestBus();
    const cache = new SessionCache(bus);
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    cache.set('b1', auth('bob', 's2'), cache.epoch);
    bus.afterCommit([{ kind: 'session.revoked', userId: 'ann', sessionId: 's1', reason: 'revoked_by_user', at: 5 }]);
    assert.equal(cache.get('a1'), undefined);
    assert.equal(cache.get('b1')?.session.id, 's2');
  });

  it('does not keep a session read before something about any account was forgotten', () => {
    const bus = new TestBus();
    const cache = new SessionCache(bus);
    // A request reads ann's session; a revocation of it commits before the request stores what it read.
    const epoch = cache.epoch;
    bus.afterCommit([{ kind: 'session.revoked', userId: 'ann', sessionId: 's1', reason: 'revoked_by_user', at: 5 }]);
    cache.set('a1', auth('ann', 's1'), epoch);
    assert.equal(cache.get('a1'), undefined);
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    assert.equal(cache.get('a1')?.session.id, 's1', 'a read begun after the event is kept');
  });

  it('is emptied by a resync and not used while the bus is not live', () => {
    const bus = new TestBus();
    const cache = new SessionCache(bus);
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    bus.say({ kind: 'resync' });
    assert.equal(cache.count, 0);
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    bus.up = false;
    assert.equal(cache.get('a1'), undefined);
    assert.equal(cache.count, 0, 'entries from before the outage are dropped');
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    assert.equal(cache.count, 0, 'nothing is added while the bus is down');
    bus.up = true;
    assert.equal(cache.get('a1'), undefined);
  });

  it('hands out entries no request can change, and keeps at most its size, dropping the oldest', () => {
    const bus = new TestBus();
    const cache = new SessionCache(bus, 2);
    const kept = auth('ann', 's1');
    cache.set('a1', kept, cache.epoch);
    kept.session.last_seen_at = 99;
    assert.equal(cache.get('a1')?.session.last_seen_at, 1, 'the caller’s object is copied in');
    assert.throws(() => {
      cache.get('a1')!.session.last_seen_at = 99;
    }, TypeError);
    assert.equal(cache.get('a1')?.session.last_seen_at, 1);
    cache.set('a2', auth('ann', 's2'), cache.epoch);
    cache.set('b1', auth('bob', 's3'), cache.epoch);
    assert.equal(cache.count, 2);
    assert.equal(cache.get('a1'), undefined);
    bus.say({ kind: 'sessions.changed', userId: 'ann' });
    assert.equal(cache.count, 1);
    cache.close();
    assert.equal(cache.count, 0);
  });

  it('keeps nothing at size 0 (LATCH_SESSION_CACHE_SIZE=0): every check reads the store', () => {
    const bus = new TestBus();
    const cache = new SessionCache(bus, 0);
    cache.set('a1', auth('ann', 's1'), cache.epoch);
    assert.equal(cache.count, 0);
    assert.equal(cache.get('a1'), undefined);
    cache.close();
  });
});

describe("the session check's answer", () => {
  const clock = new ManualClock({ frozen: true });
  const locator = new Locator('off');
  let views = 0;
  const sessions = {
    view: (row, currentId, now) => {
      views++;
      return toSessionView(row, currentId, now, locator);
    },
  } as Pick<SessionsService, 'view'> as SessionsService;
  const service = () => new AuthService(undefined as never, clock, undefined as never, sessions, undefined as never, undefined as never, undefined as never, undefined as never, undefined as never, undefined as never, undefined as never, undefined as never, undefined as never, undefined as never);
  const entry = (session: Partial<AuthContext['session']>): AuthContext => {
    const context = auth('ann', 's1');
    return { user: context.user, session: { ...context.session, idle_expires_at: clock.now() + 10_000, expires_at: clock.now() + 20_000, ...session } };
  };
  /** As the cache keeps an entry: frozen, and handed to every check that finds it. */
  const cached = (session: Partial<AuthContext['session']>): AuthContext => {
    const { user, session: row } = entry(session);
    return Object.freeze({ user: Object.freeze(user), session: Object.freeze(row) });
  };
  const online = (json: string) => (JSON.parse(json) as { session: { online: boolean } }).session.online;

  it('is made once per cache entry and sent again; a new entry, or an object the cache did not keep, is answered afresh', () => {
    const answers = service();
    const kept = cached({ device_name: 'Laptop' });
    views = 0;
    const first = answers.currentSessionJson(kept);
    assert.equal(answers.currentSessionJson(kept), first);
    assert.equal(views, 1, 'the second check reuses the first answer');
    // As JSON: a view leaves an absent OS or browser mark undefined, which JSON leaves out.
    assert.deepEqual(JSON.parse(first), JSON.parse(JSON.stringify(answers.currentSession(kept))), 'the same answer as the view');
    views = 0;
    // Anything about the account (here a rename) makes the cache keep a new entry, and with it a new answer.
    assert.match(answers.currentSessionJson(cached({ device_name: 'Work laptop' })), /"deviceName":"Work laptop"/);
    const notKept = entry({ device_name: 'Laptop' });
    answers.currentSessionJson(notKept);
    answers.currentSessionJson(notKept);
    assert.equal(views, 3, 'a new entry once, and an object the cache did not keep every time');
  });

  it('says the device is offline once its presence runs out, though the entry is the same', () => {
    const answers = service();
    const kept = cached({ online_until: clock.now() + 1_000 });
    assert.equal(online(answers.currentSessionJson(kept)), true);
    clock.advance(999);
    assert.equal(online(answers.currentSessionJson(kept)), true);
    clock.advance(1);
    assert.equal(online(answers.currentSessionJson(kept)), false);
  });
});
