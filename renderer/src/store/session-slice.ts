import type { StateCreator } from 'zustand';
import { unwrap } from '../bridge.js';
import type { SessionSlice, LatchStore, StoreDeps } from './types.js';

export const createSessionSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], SessionSlice> =>
  (set, get) => ({
    bridge,
    session: { status: 'starting' },
    setSession: (session) => set({ session }),
    async signIn(input) {
      const { value, error } = await unwrap(bridge.signIn(input));
      if (value) set({ session: value });
      return error;
    },
    async signOut() {
      const { value, error } = await unwrap(bridge.signOut());
      if (value) set({ session: value });
      return error;
    },
    async dismissNotice() {
      const { value } = await unwrap(bridge.dismissNotice());
      if (value) set({ session: value });
    },
    async openDevicesWindow() {
      await unwrap(bridge.openDevicesWindow());
    },
    async changePassword(input) {
      const { value, error } = await unwrap(bridge.changePassword(input));
      // A new password is what the copied-sign-in alerts asked for: they have done their job.
      if (value) await get().dismissCopiedSignIns(get().copiedSignIns.map((a) => a.sessionId));
      return value ?? error!;
    },
  });
