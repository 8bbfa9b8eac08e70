import type { StateCreator } from 'zustand';
import type { ChangePasswordInput, IpcError, SessionState, SignInInput } from '../../../shared/ipc.js';
import { unwrap } from '../bridge.js';
import type { LatchStore, StoreDeps } from './index.js';

export interface SessionSlice {
  session: SessionState;
  setSession(session: SessionState): void;
  /** Resolves with the error to show, or nothing when signed in. */
  signIn(input: SignInInput): Promise<IpcError | undefined>;
  signOut(): Promise<void>;
  dismissNotice(): Promise<void>;
  changePassword(input: ChangePasswordInput): Promise<{ revoked: number } | IpcError>;
  openDevicesWindow(): Promise<void>;
}

export const createSessionSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], SessionSlice> =>
  (set) => ({
    session: { status: 'starting' },
    setSession: (session) => set({ session }),
    async signIn(input) {
      const { value, error } = await unwrap(bridge.signIn(input));
      if (value) set({ session: value });
      return error;
    },
    async signOut() {
      const { value } = await unwrap(bridge.signOut());
      if (value) set({ session: value });
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
      return value ?? error!;
    },
  });
