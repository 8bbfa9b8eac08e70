// The live sockets of one instance, indexed by session, account and address,
// and the caps on them: a token, an account or an address can hold only so
// many, and the instance as a whole stays below its descriptor limit so that
// HTTP (health checks included) keeps answering at the ceiling.
import type { WebSocket } from 'ws';
import { ApiError } from '../common/api-error.js';
import type { SocketPolicy } from '../config/config.js';

export interface Connection {
  socket: WebSocket;
  sessionId: string;
  userId: string;
  address: string;
  /** SHA-256 of the token the socket was opened with: once that token is replaced, the socket goes. */
  tokenHash: string;
  alive: boolean;
  /** Which ping slice it is in. */
  slice: number;
}

/**
 * Each socket is pinged once per interval, but not all at once: the sockets
 * are dealt into slices and one slice is pinged per tick. One sweep of every
 * socket held the event loop long enough to delay revocations behind it
 * (docs/performance.md has the figures); a slice is short.
 */
export const PING_SLICES = 100;

const tooMany = (per: 'device' | 'account' | 'address') => new ApiError(429, 'too_many_connections', { key: 'too_many_connections', per }, {}, { 'Retry-After': '30' });

export class ConnectionRegistry {
  private readonly bySession = new Map<string, Set<Connection>>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byAddress = new Map<string, Set<Connection>>();
  /** Upgrades admitted by address and still being authenticated. */
  private readonly pendingByAddress = new Map<string, number>();
  private pending = 0;
  private held = 0;
  private nextSlice = 0;
  readonly pingSlices = Array.from({ length: PING_SLICES }, () => new Set<Connection>());

  constructor(private readonly policy: SocketPolicy) {}

  /** Sockets held now. */
  get size(): number {
    return this.held;
  }

  /**
   * The first check, before the token is looked at: the instance's ceiling and
   * the address's share. On success the upgrade counts as pending until
   * `settle` (whether it then connects or not).
   */
  admitAddress(address: string): ApiError | undefined {
    if (this.held + this.pending >= this.policy.total) {
      return new ApiError(503, 'unavailable', { key: 'server_full' }, {}, { 'Retry-After': '10' });
    }
    const fromAddress = (this.byAddress.get(address)?.size ?? 0) + (this.pendingByAddress.get(address) ?? 0);
    if (fromAddress >= this.policy.perAddress) return tooMany('address');
    this.pending++;
    this.pendingByAddress.set(address, (this.pendingByAddress.get(address) ?? 0) + 1);
    return undefined;
  }

  settle(address: string): void {
    this.pending--;
    const left = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (left > 0) this.pendingByAddress.set(address, left);
    else this.pendingByAddress.delete(address);
  }

  /** The second check, once the session is known; `add` must follow in the same tick. */
  admitSession(sessionId: string, userId: string): ApiError | undefined {
    if ((this.bySession.get(sessionId)?.size ?? 0) >= this.policy.perSession) return tooMany('device');
    if ((this.byUser.get(userId)?.size ?? 0) >= this.policy.perAccount) return tooMany('account');
    return undefined;
  }

  add(fields: Omit<Connection, 'alive' | 'slice'>): Connection {
    const conn: Connection = { ...fields, alive: true, slice: this.nextSlice++ % PING_SLICES };
    addTo(this.bySession, conn.sessionId, conn);
    addTo(this.byUser, conn.userId, conn);
    addTo(this.byAddress, conn.address, conn);
    this.pingSlices[conn.slice]!.add(conn);
    this.held++;
    return conn;
  }

  /** Forgets a socket; true if it was held. */
  remove(conn: Connection): boolean {
    if (!removeFrom(this.bySession, conn.sessionId, conn)) return false;
    removeFrom(this.byUser, conn.userId, conn);
    removeFrom(this.byAddress, conn.address, conn);
    this.pingSlices[conn.slice]!.delete(conn);
    this.held--;
    return true;
  }

  ofSession(sessionId: string): ReadonlySet<Connection> | undefined {
    return this.bySession.get(sessionId);
  }

  ofUser(userId: string): ReadonlySet<Connection> | undefined {
    return this.byUser.get(userId);
  }

  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }

  all(): Connection[] {
    return [...this.bySession.values()].flatMap((set) => [...set]);
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(conn);
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  const set = map.get(key);
  if (!set?.delete(conn)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
