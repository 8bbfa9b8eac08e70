import type { StateCreator } from 'zustand';
import type { SessionView } from '../../../shared/api.js';
import type { CopiedSignIn } from '../../../shared/ipc.js';
import { unwrap } from '../bridge.js';
import type { LatchStore, StoreDeps } from './index.js';

export interface AlertsSlice {
  /** New sign-ins elsewhere, newest first, until dismissed: the core keeps one list for every window. */
  newSignIns: SessionView[];
  /** Other devices whose sign-in was copied and used, newest first, until dismissed (one list for every window). */
  copiedSignIns: CopiedSignIn[];
  /** Set after "That wasn't me": the password form opens. */
  passwordFormOpen: boolean;
  /** The latest sentence for the polite live region; `n` makes a repeat of the same words count again. */
  announcement: { text: string; n: number };
  setNewSignIns(sessions: SessionView[]): void;
  dismissNewSignIns(ids: string[]): Promise<void>;
  setCopiedSignIns(alerts: CopiedSignIn[]): void;
  dismissCopiedSignIns(sessionIds: string[]): Promise<void>;
  setPasswordFormOpen(open: boolean): void;
  announce(text: string): void;
}

export const createAlertsSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], AlertsSlice> =>
  (set, get) => ({
    newSignIns: [],
    passwordFormOpen: false,
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
