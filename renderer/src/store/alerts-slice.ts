import type { StateCreator } from 'zustand';
import { unwrap } from '../bridge.js';
import type { AlertsSlice, LatchStore, StoreDeps } from './types.js';

export const createAlertsSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], AlertsSlice> =>
  (set, get) => ({
    newSignIns: [],
    passwordFormOpen: false,
    resetAlerts: () => set({ newSignIns: [], copiedSignIns: [], passwordFormOpen: false }),
    announcement: { text: '', n: 0 },
    setNewSignIns: (newSignIns) => set({ newSignIns }),
    async dismissNewSignIns(ids) {
      // Gone here at once; the core's answer (and its event to the other windows) follows.
      const gone = new Set(ids);
      set({ newSignIns: get().newSignIns.filter((s) => !gone.has(s.id)) });
      const { value } = await unwrap(bridge.dismissNewSignIns(ids));
      if (value) set({ newSignIns: value });
    },
    copiedSignIns: [],
    setCopiedSignIns: (copiedSignIns) => set({ copiedSignIns }),
    async dismissCopiedSignIns(sessionIds) {
      const gone = new Set(sessionIds);
      set({ copiedSignIns: get().copiedSignIns.filter((a) => !gone.has(a.sessionId)) });
      const { value } = await unwrap(bridge.dismissCopiedSignIns(sessionIds));
      if (value) set({ copiedSignIns: value });
    },
    setPasswordFormOpen: (passwordFormOpen) => set({ passwordFormOpen }),
    announce: (text) => set({ announcement: { text, n: get().announcement.n + 1 } }),
  });
