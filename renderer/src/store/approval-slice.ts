// Sign-in approval in the windows (docs/architecture.md, "Sign-in approval"): the requests this device
// can answer, the account's setting, and the new device's side while it waits.
import type { StateCreator } from 'zustand';
import { unwrap } from '../bridge.js';
import type { ApprovalSlice, LatchStore, StoreDeps } from './types.js';

export const createApprovalSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], ApprovalSlice> =>
  (set, get) => ({
    signInRequests: [],
    approval: undefined,
    approvalError: undefined,
    recoveryCodesLeft: undefined,
    setSignInRequests: (signInRequests) => set({ signInRequests }),
    async answerSignInRequest(id, answer) {
      const { value, error } = await unwrap(bridge.answerSignInRequest(id, answer));
      return value ?? error!;
    },
    async loadApproval() {
      const { value, error } = await unwrap(bridge.approvalSetting());
      set({ approval: value ?? get().approval, approvalError: error?.message });
    },
    async setApproval(required, password) {
      const { value, error } = await unwrap(bridge.setApproval(required, password));
      if (value) set({ approval: { required: value.required, recoveryCodesLeft: value.recoveryCodesLeft }, approvalError: undefined });
      return value ?? error!;
    },
    async regenerateRecoveryCodes(password) {
      const { value, error } = await unwrap(bridge.regenerateRecoveryCodes(password));
      if (value) await Promise.all([get().approval ? get().loadApproval() : undefined, get().authenticator ? get().loadAuthenticator() : undefined]);
      return value ?? error!;
    },
    authenticator: undefined,
    authenticatorError: undefined,
    async loadAuthenticator() {
      const { value, error } = await unwrap(bridge.authenticatorSetting());
      set({ authenticator: value ?? get().authenticator, authenticatorError: error?.message });
    },
    async beginAuthenticator(password) {
      const { value, error } = await unwrap(bridge.beginAuthenticator(password));
      return value ?? error!;
    },
    async confirmAuthenticator(code) {
      const { value, error } = await unwrap(bridge.confirmAuthenticator(code));
      if (value) await Promise.all([get().loadAuthenticator(), get().approval ? get().loadApproval() : undefined]);
      return value ?? error!;
    },
    async turnOffAuthenticator(password) {
      const { value, error } = await unwrap(bridge.turnOffAuthenticator(password));
      if (value) await Promise.all([get().loadAuthenticator(), get().approval ? get().loadApproval() : undefined]);
      return value ?? error!;
    },
    async resendSignIn() {
      return (await unwrap(bridge.resendSignIn())).error;
    },
    async cancelSignIn() {
      const { value } = await unwrap(bridge.cancelSignIn());
      if (value) set({ session: value });
    },
    async useRecoveryCode(code) {
      const { value, error } = await unwrap(bridge.useRecoveryCode(code));
      if (value) set({ recoveryCodesLeft: value.recoveryCodesLeft });
      return value ?? error!;
    },
    dismissRecoveryCodesLeft: () => set({ recoveryCodesLeft: undefined }),
    resetApproval: () => set({ signInRequests: [], approval: undefined, approvalError: undefined, authenticator: undefined, authenticatorError: undefined }),
  });
