// Passkeys in the windows (docs/architecture.md, "Passkeys"): the account's list, adding one (the options
// from the core, the authenticator's answer from this page), renaming and removing; signing in with one;
// and a passkey instead of the password where recent authentication is asked for.
import type { StateCreator } from 'zustand';
import { unwrap } from '../bridge.js';
import { createPasskey, usePasskey } from '../passkeys.js';
import type { LatchStore, PasskeysSlice, StoreDeps } from './types.js';

export const createPasskeysSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], PasskeysSlice> =>
  (set, get) => ({
    passkeys: undefined,
    passkeysError: undefined,
    async loadPasskeys() {
      const { value, error } = await unwrap(bridge.passkeys());
      set({ passkeys: value?.passkeys ?? get().passkeys, passkeysError: error?.message });
    },
    async addPasskey(name) {
      const asked = await unwrap(bridge.passkeyAddOptions());
      if (asked.error) return asked.error;
      const made = await createPasskey(asked.value.options);
      if ('error' in made) return made.error;
      const { value, error } = await unwrap(bridge.addPasskey(asked.value.id, name, made.response));
      if (value) await get().loadPasskeys();
      return value ?? error!;
    },
    async renamePasskey(id, name) {
      const { value, error } = await unwrap(bridge.renamePasskey(id, name));
      if (value) set({ passkeys: get().passkeys?.map((p) => (p.id === id ? value : p)) });
      return value ?? error!;
    },
    async removePasskey(id) {
      const { error } = await unwrap(bridge.removePasskey(id));
      if (!error) set({ passkeys: get().passkeys?.filter((p) => p.id !== id) });
      return error;
    },
    async signInWithPasskey(serverUrl) {
      const asked = await unwrap(bridge.passkeySignInOptions(serverUrl));
      if (asked.error) return asked.error;
      const used = await usePasskey(asked.value.options);
      if ('error' in used) return used.error;
      const { value, error } = await unwrap(bridge.signInWithPasskey(asked.value.id, used.response));
      if (value) set({ session: value });
      return error;
    },
    async reauthenticateWithPasskey() {
      const asked = await unwrap(bridge.reauthPasskeyOptions());
      if (asked.error) return asked.error;
      const used = await usePasskey(asked.value.options);
      if ('error' in used) return used.error;
      const { error } = await unwrap(bridge.reauthenticateWithPasskey(asked.value.id, used.response));
      // It was used just now: the list says so.
      if (!error && get().passkeys) await get().loadPasskeys();
      return error;
    },
    resetPasskeys: () => set({ passkeys: undefined, passkeysError: undefined }),
  });
