// One bound store built from typed slices (their types in types.ts); it talks to window.latch only.
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { SessionView } from '../../../shared/api.js';
import type { Connection, LatchBridge, SessionState } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { createAlertsSlice } from './alerts-slice.js';
import { createApprovalSlice } from './approval-slice.js';
import { createDevicesSlice } from './devices-slice.js';
import { createPasskeysSlice } from './passkeys-slice.js';
import { createSessionSlice } from './session-slice.js';
import type { LatchStore } from './types.js';

export type { LatchStore } from './types.js';

export function createLatchStore(bridge: LatchBridge): StoreApi<LatchStore> {
  return createStore<LatchStore>()((...a) => ({
    ...createSessionSlice({ bridge })(...a),
    ...createDevicesSlice({ bridge })(...a),
    ...createAlertsSlice({ bridge })(...a),
    ...createApprovalSlice({ bridge })(...a),
    ...createPasskeysSlice({ bridge })(...a),
  }));
}

/** The connection while this device holds a sign-in; undefined otherwise. */
const connectionOf = (state: SessionState): Connection | undefined =>
  state.status === 'signedIn' || state.status === 'resuming' ? state.connection : undefined;

/** New sign-ins heard less than this apart are announced together. */
const ANNOUNCE_TOGETHER_MS = 400;

/** The items of `next` that `before` did not have (by key), in `next`'s order. */
function added<T>(before: T[], next: T[], keyOf: (item: T) => string): T[] {
  const known = new Set(before.map(keyOf));
  return next.filter((item) => !known.has(keyOf(item)));
}

/**
 * Keeps the store current from the core's events (nothing here polls) and loads what the core
 * already holds. Returns what stops listening.
 */
export function connectStore(store: StoreApi<LatchStore>, bridge: LatchBridge): () => void {
  // New sign-ins heard close together are said once: 49 at once make one announcement, not 48.
  let arrivals: SessionView[] = [];
  let arrivalsTimer: ReturnType<typeof setTimeout> | undefined;
  const announceArrivals = () => {
    const [first, ...more] = arrivals;
    arrivals = [];
    if (!first) return;
    store.getState().announce(more.length === 0 ? messages.alerts.announce(first.deviceName, messages.place(first.location, true)) : messages.alerts.announceMany(more.length + 1));
  };
  const stops = [
    bridge.on('state', (session) => {
      const before = store.getState().session;
      store.getState().setSession(session);
      const [was, is] = [connectionOf(before), connectionOf(session)];
      if (!is) {
        store.getState().resetDevices();
        store.getState().resetAlerts();
        store.getState().resetApproval();
        store.getState().resetPasskeys();
      } else if (was && was !== is) {
        store.getState().announce(messages.connectionAnnounced[is]);
      }
    }),
    bridge.on('sessionsChanged', (sessions) => store.getState().setSessions(sessions)),
    bridge.on('newSignIns', (sessions) => {
      const arrived = added(store.getState().newSignIns, sessions, (s) => s.id);
      store.getState().setNewSignIns(sessions);
      if (arrived.length === 0) return;
      // A passkey signed one in: it was used just now, which a window showing the passkeys says.
      if (arrived.some((s) => s.signedInWith === 'passkey') && store.getState().passkeys) void store.getState().loadPasskeys();
      arrivals.push(...arrived);
      clearTimeout(arrivalsTimer);
      arrivalsTimer = setTimeout(announceArrivals, ANNOUNCE_TOGETHER_MS);
    }),
    () => clearTimeout(arrivalsTimer),
    bridge.on('copiedSignIns', (alerts) => {
      // The first one to arrive is announced (one at a time, not a flood).
      const [arrived] = added(store.getState().copiedSignIns, alerts, (a) => a.sessionId);
      store.getState().setCopiedSignIns(alerts);
      if (arrived) store.getState().announce(messages.copied.announce(arrived.deviceName));
    }),
    bridge.on('presence', ({ sessionId, online }) => store.getState().setPresence(sessionId, online)),
    bridge.on('signInRequests', (requests) => {
      const before = store.getState().signInRequests;
      const [arrived] = added(before, requests, (r) => r.id);
      store.getState().setSignInRequests(requests);
      // A request answered (denied, the wrong number) or expired is in recent activity now: a window showing it reloads it.
      if (added(requests, before, (r) => r.id).length > 0) void store.getState().refreshActivity();
      if (arrived) store.getState().announce(messages.approval.announceRequest(arrived.deviceName));
    }),
    bridge.on('accountChanged', (change) => {
      // Only a window that shows the setting has it loaded.
      if (store.getState().approval) void store.getState().loadApproval();
      if (store.getState().authenticator) void store.getState().loadAuthenticator();
      if (store.getState().passkeys) void store.getState().loadPasskeys();
      // The change is in recent activity now: a window showing it reloads it.
      void store.getState().refreshActivity();
      if (change) store.getState().announce(messages.approval.announceChange[change.what](change.byDeviceName));
    }),
  ];
  void bridge.getState().then((result) => {
    if (result.ok) store.getState().setSession(result.value);
  });
  void bridge.newSignIns().then((result) => {
    if (result.ok) store.getState().setNewSignIns(result.value);
  });
  void bridge.copiedSignIns().then((result) => {
    if (result.ok) store.getState().setCopiedSignIns(result.value);
  });
  void bridge.signInRequests().then((result) => {
    if (result.ok) store.getState().setSignInRequests(result.value);
  });
  return () => stops.forEach((stop) => stop());
}

export const StoreContext = createContext<StoreApi<LatchStore> | null>(null);

/** One field per selector, as the zustand docs advise. */
export function useLatch<T>(selector: (state: LatchStore) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useLatch outside StoreContext');
  return useStore(store, selector);
}
