// The one IPC handler table. Main registers it with ipcMain.handle; the account
// page calls it in place (bridgeOf); the test bridge reaches the same table
// over a loopback socket. Every argument is
// parsed with the schema from shared/ipc.ts, every result is checked against
// it (so nothing outside the contract, a token least of all, can leave), and
// every failure comes back as a typed error result, never a throw.
import type { z } from 'zod';
import { issueDetails } from '../api.js';
import { en, fieldSaid } from '../messages.js';
import { IpcCalls, type IpcCallName, type IpcEventName, type IpcEventPayload, type IpcResult, type IpcValue, type LatchBridge } from '../ipc.js';
import { CoreError } from './errors.js';
import type { ControllerEvent, SessionRunner } from './runner.js';

export type IpcHandler = (...args: unknown[]) => Promise<IpcResult<unknown>>;

export interface IpcHooks {
  /** Main opens (or focuses) the devices window. */
  openDevicesWindow(): void;
}

type Implementations = { [K in IpcCallName]: (...args: z.output<(typeof IpcCalls)[K]['args']>) => Promise<IpcValue<K>> | IpcValue<K> };

export function createIpcHandlers(controller: SessionRunner, hooks: IpcHooks): Map<string, IpcHandler> {
  const implementations: Implementations = {
    getState: () => controller.getState(),
    signIn: (input) => controller.signIn(input),
    signOut: () => controller.signOut(),
    dismissNotice: () => controller.dismissNotice(),
    listSessions: () => controller.listSessions(),
    revokeSession: (id) => controller.revokeSession(id),
    revokeOtherSessions: () => controller.revokeOtherSessions(),
    renameDevice: (name) => controller.renameDevice(name),
    securityEvents: (before?: string) => controller.securityEvents(before),
    deviceActivity: (sessionId, before?: string) => controller.deviceActivity(sessionId, before),
    signedOutSessions: () => controller.signedOutSessions(),
    newSignIns: () => controller.getNewSignIns(),
    dismissNewSignIns: (ids) => controller.dismissNewSignIns(ids),
    copiedSignIns: () => controller.getCopiedSignIns(),
    dismissCopiedSignIns: (ids) => controller.dismissCopiedSignIns(ids),
    reauthenticate: (password) => controller.reauthenticate(password),
    changePassword: (input) => controller.changePassword(input),
    openDevicesWindow: () => {
      hooks.openDevicesWindow();
      return null;
    },
    cancelSignIn: () => controller.cancelSignIn(),
    resendSignIn: () => controller.resendSignIn(),
    useRecoveryCode: (code) => controller.useRecoveryCode(code),
    signInRequests: () => controller.getSignInRequests(),
    answerSignInRequest: (id, answer) => controller.answerSignInRequest(id, answer),
    approvalSetting: () => controller.approvalSetting(),
    setApproval: (required, password) => controller.setApproval(required, password),
    regenerateRecoveryCodes: (password) => controller.regenerateRecoveryCodes(password),
    authenticatorSetting: () => controller.authenticatorSetting(),
    beginAuthenticator: (password) => controller.beginAuthenticator(password),
    confirmAuthenticator: (code) => controller.confirmAuthenticator(code),
    turnOffAuthenticator: (password) => controller.turnOffAuthenticator(password),
    passkeys: () => controller.passkeys(),
    passkeyAddOptions: () => controller.passkeyAddOptions(),
    addPasskey: (id, name, response) => controller.addPasskey(id, name, response),
    renamePasskey: (id, name) => controller.renamePasskey(id, name),
    removePasskey: (id) => controller.removePasskey(id),
    passkeySignInOptions: (serverUrl) => controller.passkeySignInOptions(serverUrl),
    signInWithPasskey: (id, response) => controller.signInWithPasskey(id, response),
    reauthPasskeyOptions: () => controller.reauthPasskeyOptions(),
    reauthenticateWithPasskey: (id, response) => controller.reauthenticateWithPasskey(id, response),
    requestPasswordReset: (input) => controller.requestPasswordReset(input),
    resetPassword: (input) => controller.resetPassword(input),
    signInWithCode: (code, password) => controller.signInWithCode(code, password),
    signInWithAuthenticatorCode: (code) => controller.signInWithAuthenticatorCode(code),
    sendEmailCode: () => controller.sendEmailCode(),
    confirmEmail: (code) => controller.confirmEmail(code),
    mailSettings: () => controller.mailSettings(),
    setMailSettings: (settings) => controller.setMailSettings(settings),
  };

  const handlers = new Map<string, IpcHandler>();
  for (const name of Object.keys(IpcCalls) as IpcCallName[]) {
    const call = IpcCalls[name];
    const implementation = implementations[name] as (...args: unknown[]) => Promise<unknown> | unknown;
    handlers.set(call.channel, async (...args) => {
      const parsed = call.args.safeParse(args);
      if (!parsed.success) {
        // Said field by field, as the server's validation errors are: the renderer says each in its language.
        const details = issueDetails(parsed.error, (detail) => fieldSaid(detail, en));
        const first = details[0];
        return { ok: false, error: { code: 'invalid_argument', message: first ? first.message : 'Invalid argument.', details } };
      }
      try {
        const value = await implementation(...(parsed.data as unknown[]));
        const checked = (call.result as z.ZodType).safeParse(value);
        if (!checked.success) return { ok: false, error: new CoreError('unexpected', 'internal', { key: 'outside_contract' }).toIpc() };
        return { ok: true, value: checked.data };
      } catch (error) {
        if (error instanceof CoreError) return { ok: false, error: error.toIpc() };
        return { ok: false, error: new CoreError('unexpected', 'internal', { key: 'client_fault' }).toIpc() };
      }
    });
  }
  return handlers;
}

/** What a controller event carries to the windows, on the channel `IpcEvents[event.type]`. */
export function eventPayload(event: ControllerEvent): IpcEventPayload<ControllerEvent['type']> {
  switch (event.type) {
    case 'state':
      return event.state;
    case 'sessionsChanged':
      return event.sessions;
    case 'newSignIns':
      return event.sessions;
    case 'copiedSignIns':
      return event.alerts;
    case 'presence':
      return { sessionId: event.sessionId, online: event.online };
    case 'signInRequests':
      return event.requests;
    case 'accountChanged':
      return event.change ?? null;
  }
}

/**
 * `window.latch` without IPC: each call goes through its handler in this page (its arguments and result
 * checked as main checks them), each runner event to the listeners of its name.
 */
export function bridgeOf(handlers: Map<string, IpcHandler>, runner: Pick<SessionRunner, 'subscribe'>): LatchBridge {
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();
  runner.subscribe((event) => {
    const payload = eventPayload(event);
    for (const listener of [...(listeners.get(event.type) ?? [])]) listener(payload);
  });
  const calls = Object.fromEntries(Object.entries(IpcCalls).map(([name, call]) => [name, (...args: unknown[]) => handlers.get(call.channel)!(...args)]));
  return {
    ...calls,
    on(event: IpcEventName, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => void set.delete(listener);
    },
  } as unknown as LatchBridge;
}
