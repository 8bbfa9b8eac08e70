// One bound store built from typed slices; it talks to window.latch only.
import { createContext, useContext } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { LatchBridge } from '../../../shared/ipc.js';
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
    ...createAlertsSlice(...a),
  }));
  // Core events keep the store current; nothing here polls.
  bridge.on('state', (session) => {
    store.getState().setSession(session);
    if (session.status !== 'signedIn') store.setState({ sessions: undefined, activity: undefined, activityNext: undefined, activityError: undefined, newSignIns: [] });
  });
  bridge.on('sessionsChanged', (sessions) => store.getState().setSessions(sessions));
  bridge.on('newSignIn', (session) => store.getState().pushNewSignIn(session));
  bridge.on('presence', ({ sessionId, online }) => store.getState().setPresence(sessionId, online));
  void bridge.getState().then((result) => {
    if (result.ok) store.getState().setSession(result.value);
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
