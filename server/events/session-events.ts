// What the server tells its own instances when an account's sessions change.
// Carried in-process (SQLite) or through Postgres NOTIFY (several instances),
// so the payload is parsed like any other input that crosses a boundary.
import { z } from 'zod';
import { AccountChange, Platform, RevokedBy, SessionView, SignInOutcome, SignInRequestView, SignOutReason, UsedFrom } from '../../shared/api.js';

/** AccountChange as the bus carries it: the time in epoch milliseconds. */
const AccountChangeEvent = AccountChange.extend({ at: z.number() });
export type AccountChangeEvent = z.infer<typeof AccountChangeEvent>;

export const SessionEvent = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('session.revoked'),
    userId: z.string(),
    sessionId: z.string(),
    reason: SignOutReason,
    at: z.number(),
    by: RevokedBy.optional(),
    usedFrom: UsedFrom.optional(),
    alsoFrom: UsedFrom.optional(),
  }),
  /**
   * A session's token was replaced: cached checks of its old token are dropped on every instance, and
   * sockets opened with the replaced token (`replacedHash`) close after the grace, those opened with an
   * older one (`retiredHash`) at once.
   */
  z.strictObject({
    kind: z.literal('session.rotated'),
    userId: z.string(),
    sessionId: z.string(),
    replacedHash: z.string(),
    retiredHash: z.string().optional(),
  }),
  /** An old token of this session was used after it was replaced; the account's other devices are told. */
  z.strictObject({
    kind: z.literal('session.token_reused'),
    userId: z.string(),
    sessionId: z.string(),
    deviceName: z.string(),
    platform: Platform,
    usedFrom: UsedFrom,
    alsoFrom: UsedFrom.optional(),
    at: z.number(),
  }),
  z.strictObject({ kind: z.literal('sessions.changed'), userId: z.string() }),
  z.strictObject({ kind: z.literal('session.created'), userId: z.string(), session: SessionView, approvedBy: z.string().optional() }),
  z.strictObject({ kind: z.literal('session.presence'), userId: z.string(), sessionId: z.string(), online: z.boolean() }),
  /**
   * A new device asks to sign in: the account's devices show the prompt (docs/architecture.md, "Sign-in
   * approval"). A request made with a wrong password is published too, with `shown` false, so that it
   * costs the same; no device is told of it.
   */
  z.strictObject({ kind: z.literal('signin.requested'), userId: z.string(), request: SignInRequestView, shown: z.boolean() }),
  /** A request ended: prompts go away, and the new device's wait (on whichever instance) is answered. */
  z.strictObject({ kind: z.literal('signin.resolved'), userId: z.string(), id: z.string(), outcome: SignInOutcome, byDeviceName: z.string().optional(), shown: z.boolean() }),
  z.strictObject({ kind: z.literal('account.changed'), userId: z.string(), change: AccountChangeEvent }),
]);

/** Events that change nothing a session check decides (so cached sessions stay). */
export const changesNoSession = (event: SessionEvent): boolean =>
  event.kind === 'session.presence' || event.kind === 'signin.requested' || event.kind === 'signin.resolved' || event.kind === 'account.changed';
export type SessionEvent = z.infer<typeof SessionEvent>;

export type BusSignal = SessionEvent | { kind: 'resync' };
export type BusListener = (signal: BusSignal) => void;
