import type { StateCreator } from 'zustand';
import { unwrap } from '../bridge.js';
import type { SessionSlice, LatchStore, StoreDeps } from './types.js';

export const createSessionSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], SessionSlice> =>
  (set, get) => ({
    bridge,
    session: { status: 'starting' },
    lastEmail: '',
    setSession: (session) => set({ session }),
    async signIn(input) {
      // Kept for the form: a sign-in refused, cancelled or failed starts again from the same address.
      set({ lastEmail: input.email });
      const { value, error } = await unwrap(bridge.signIn(input));
      if (value) set({ session: value });
      return error;
    },
    async signOut() {
      // Signed out on purpose (a shared computer, say): the next person does not find the address typed in.
      // Forgotten first: the sign-in screen comes with the new state, before this call returns.
      set({ lastEmail: '' });
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
