// One bound store built from typed slices; it talks to window.latch only.
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { LatchBridge } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { createAlertsSlice, type AlertsSlice } from './alerts-slice.js';
import { createDevicesSlice, type DevicesSlice } from './devices-slice.js';
import { createSessionSlice, type SessionSlice } from './session-slice.js';

export type LatchStore = SessionSlice & DevicesSlice & AlertsSlice;
export interface StoreDeps {
  bridge: LatchBridge;
}

export function createLatchStore(bridge: LatchBridge): StoreApi<LatchStore> {
  const store = createStore<LatchStore>()((...a) => ({
    ...createSessionSlice({ bridge })(...a),
    ...createDevicesSlice({ bridge })(...a),
    ...createAlertsSlice({ bridge })(...a),
  }));
  // Core events keep the store current; nothing here polls.
  bridge.on('state', (session) => {
    const before = store.getState().session;
    store.getState().setSession(session);
    if (session.status !== 'signedIn') {
      store.setState({ sessions: undefined, activity: undefined, activityNext: undefined, activityError: undefined, signedOut: undefined, newSignIns: [], copiedSignIns: [] });
    } else if (before.status === 'signedIn' && before.connection !== session.connection) {
      store.getState().announce(messages.connectionAnnounced[session.connection]);
    }
  });
  bridge.on('sessionsChanged', (sessions) => store.getState().setSessions(sessions));
  bridge.on('newSignIns', (sessions) => {
    const known = new Set(store.getState().newSignIns.map((s) => s.id));
    const arrived = sessions.filter((s) => !known.has(s.id));
    store.getState().setNewSignIns(sessions);
    for (const s of arrived.slice(0, 1)) store.getState().announce(messages.alerts.announce(s.deviceName, messages.place(s.location, true)));
  });
  bridge.on('copiedSignIns', (alerts) => {
    const known = new Set(store.getState().copiedSignIns.map((a) => a.sessionId));
    const arrived = alerts.filter((a) => !known.has(a.sessionId));
    store.getState().setCopiedSignIns(alerts);
    for (const a of arrived.slice(0, 1)) store.getState().announce(messages.copied.announce(a.deviceName));
  });
  bridge.on('presence', ({ sessionId, online }) => store.getState().setPresence(sessionId, online));
  void bridge.getState().then((result) => {
    if (result.ok) store.getState().setSession(result.value);
  });
  void bridge.newSignIns().then((result) => {
    if (result.ok) store.getState().setNewSignIns(result.value);
  });
  void bridge.copiedSignIns().then((result) => {
    if (result.ok) store.getState().setCopiedSignIns(result.value);
  });
  return store;
}

export const StoreContext = createContext<StoreApi<LatchStore> | null>(null);

/** One field per selector, as the zustand docs advise. */
export function useLatch<T>(selector: (state: LatchStore) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useLatch outside StoreContext');
  return useStore(store, selector);
}
