import type { StateCreator } from 'zustand';
import type { SessionView } from '../../../shared/api.js';
import type { LatchStore } from './index.js';

export interface AlertsSlice {
  /** New sign-ins elsewhere, newest first, until dismissed. */
  newSignIns: SessionView[];
  /** Set after "That wasn't me": the password form opens. */
  passwordFormOpen: boolean;
  pushNewSignIn(session: SessionView): void;
  dismissNewSignIn(id: string): void;
  setPasswordFormOpen(open: boolean): void;
}

export const createAlertsSlice: StateCreator<LatchStore, [], [], AlertsSlice> = (set, get) => ({
  newSignIns: [],
  passwordFormOpen: false,
  pushNewSignIn: (session) => set({ newSignIns: [session, ...get().newSignIns.filter((s) => s.id !== session.id)] }),
  dismissNewSignIn: (id) => set({ newSignIns: get().newSignIns.filter((s) => s.id !== id) }),
  setPasswordFormOpen: (passwordFormOpen) => set({ passwordFormOpen }),
});
