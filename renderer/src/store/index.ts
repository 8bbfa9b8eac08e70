// One bound store built from typed slices (their types in types.ts); it talks to window.latch only.
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { LatchBridge } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { createAlertsSlice } from './alerts-slice.js';
import { createDevicesSlice } from './devices-slice.js';
import { createSessionSlice } from './session-slice.js';
import type { LatchStore } from './types.js';

export type { LatchStore } from './types.js';

export function createLatchStore(bridge: LatchBridge): StoreApi<LatchStore> {
  return createStore<LatchStore>()((...a) => ({
    ...createSessionSlice({ bridge })(...a),
    ...createDevicesSlice({ bridge })(...a),
    ...createAlertsSlice({ bridge })(...a),
  }));
}

/**
 * Keeps the store current from the core's events (nothing here polls) and loads what the core
 * already holds. Returns what stops listening.
 */
export function connectStore(store: StoreApi<LatchStore>, bridge: LatchBridge): () => void {
  const stops = [
    bridge.on('state', (session) => {
      const before = store.getState().session;
      store.getState().setSession(session);
      if (session.status !== 'signedIn') {
        store.getState().resetDevices();
        store.getState().resetAlerts();
      } else if (before.status === 'signedIn' && before.connection !== session.connection) {
        store.getState().announce(messages.connectionAnnounced[session.connection]);
      }
    }),
    bridge.on('sessionsChanged', (sessions) => store.getState().setSessions(sessions)),
    bridge.on('newSignIns', (sessions) => {
      const known = new Set(store.getState().newSignIns.map((s) => s.id));
      const arrived = sessions.filter((s) => !known.has(s.id));
      store.getState().setNewSignIns(sessions);
      for (const s of arrived.slice(0, 1)) store.getState().announce(messages.alerts.announce(s.deviceName, messages.place(s.location, true)));
    }),
    bridge.on('copiedSignIns', (alerts) => {
      const known = new Set(store.getState().copiedSignIns.map((a) => a.sessionId));
      const arrived = alerts.filter((a) => !known.has(a.sessionId));
      store.getState().setCopiedSignIns(alerts);
      for (const a of arrived.slice(0, 1)) store.getState().announce(messages.copied.announce(a.deviceName));
    }),
    bridge.on('presence', ({ sessionId, online }) => store.getState().setPresence(sessionId, online)),
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
  return () => stops.forEach((stop) => stop());
}

export const StoreContext = createContext<StoreApi<LatchStore> | null>(null);

/** One field per selector, as the zustand docs advise. */
export function useLatch<T>(selector: (state: LatchStore) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useLatch outside StoreContext');
  return useStore(store, selector);
}
