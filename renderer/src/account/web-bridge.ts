// The account page's LatchBridge: the same calls the desktop core answers, made here over HTTP to the server
// that serves the page, with the browser's session in its HttpOnly cookie (docs/architecture.md, "The account
// page"). The React screens and store do not know which of the two they talk to.
import { PAGE_HEADER, RealtimeMessage, type CurrentSession, type PendingSignIn } from '../../../shared/api.js';
import { readAnswer, requestOf, type CallInput, type OkValue } from '../../../shared/client.js';
import { Routes, type RouteSpec } from '../../../shared/routes.js';
import { noticeOf, noticeOfRefusal, type IpcError, type IpcEventName, type IpcEventPayload, type IpcResult, type LatchBridge, type SessionState, type SignInRefused } from '../../../shared/ipc.js';

const KEYCHAIN = { kind: 'os' as const, backend: 'this browser' };
const unreachable: IpcError = { code: 'unreachable', message: 'The server cannot be reached. Check your connection and try again.' };
const RECONNECT_MS = [500, 1_000, 2_000, 5_000, 10_000];
/** How long to wait before try `attempt` (0, 1, …) of anything that waits for the server: the last step repeats. */
const backoff = (attempt: number): number => RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)]!;
/**
 * Set while this browser signed itself out and the server has not heard it yet. The session's cookie is
 * HttpOnly, so only the server can end it: the page keeps asking, and on its next load asks before anything.
 */
const UNFINISHED_SIGN_OUT = 'latch.unfinishedSignOut';

type Waiting = { id: string; secret: string };

export function createWebBridge(origin = window.location.origin): LatchBridge {
  let state: SessionState = { status: 'starting' };
  let waiting: Waiting | undefined;
  /** The step-up's id while a sign-in waits for its mailed code. */
  let stepUp: string | undefined;
  let socket: WebSocket | undefined;
  let reconnects = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();

  function emit<K extends IpcEventName>(event: K, payload: IpcEventPayload<K>): void {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  }
  function setState(next: SessionState): void {
    state = next;
    emit('state', next);
  }

  /**
   * One call to the server, through the route table (shared/routes.ts): the page's header on every request,
   * the cookie by the browser, the answer parsed as the route's row says, errors as IpcErrors.
   */
  async function call<R extends RouteSpec>(spec: R, input: CallInput<R>): Promise<IpcResult<OkValue<R>>> {
    const request = requestOf(spec, input);
    let response: Response;
    try {
      response = await fetch(new URL(request.target, origin), {
        method: request.method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { [PAGE_HEADER]: '1', ...(request.json === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
      });
    } catch {
      return { ok: false, error: unreachable };
    }
    const text = await response.text();
    const outcome = readAnswer(spec, response.status, text ? safeJson(text) : undefined);
    if (outcome.kind === 'ok') return { ok: true, value: outcome.value };
    if (outcome.kind === 'unexpected') {
      return { ok: false, error: { code: response.status >= 500 ? 'internal' : 'unexpected_response', message: `The server answered ${response.status} in a way this page does not understand.` } };
    }
    const { error } = outcome;
    // The session ended and the socket has not said so yet (or was down): the same notice it would have given.
    const notice = noticeOfRefusal(response.status, error, () => new Date().toISOString());
    if (notice && state.status === 'signedIn') ended(notice);
    const { code, message, details, retryAfterSeconds } = error;
    return { ok: false, error: { code, message, ...(details ? { details } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } };
  }

  const value = <T, R>(result: IpcResult<T>, pick: (value: T) => R): IpcResult<R> => (result.ok ? { ok: true, value: pick(result.value) } : result);

  /** Signed in, or (sign-in approval) waiting for a device's answer. */
  function signedInOrWaiting(result: CurrentSession | PendingSignIn, email: string, reset = false): SessionState {
    if (!('pending' in result)) return signedIn(result);
    const { id, secret, number, expiresAt } = result.pending;
    waiting = { id, secret };
    setState({ status: 'awaitingApproval', serverUrl: origin, keychain: KEYCHAIN, email, number, expiresAt, ...(reset ? { reset: true as const } : {}) });
    void waitForApproval(waiting);
    return state;
  }

  function signedIn(current: CurrentSession): SessionState {
    // A new sign-in's cookie took the place of the one whose sign-out was waiting.
    markSignOutUnfinished(false);
    const next: SessionState = { status: 'signedIn', serverUrl: origin, keychain: KEYCHAIN, connection: 'connecting', user: current.user, session: current.session };
    setState(next);
    connect();
    return next;
  }

  /** This browser's session ended, here or elsewhere: signed out, with the notice when another device did it. */
  function ended(notice?: Extract<SessionState, { status: 'signedOut' }>['notice'], refused?: SignInRefused): SessionState {
    disconnect();
    const unfinished = signOutUnfinished();
    const next: SessionState = {
      status: 'signedOut',
      serverUrl: origin,
      keychain: KEYCHAIN,
      ...(notice ? { notice } : {}),
      ...(refused ? { refused } : {}),
      ...(unfinished ? { unfinishedSignOut: 'waiting' as const } : {}),
    };
    setState(next);
    if (unfinished) void finishSignOut();
    return next;
  }

  function connect(): void {
    disconnect();
    const ws = new WebSocket(new URL('/v1/events', origin.replace(/^http/, 'ws')));
    socket = ws;
    ws.onopen = () => {
      reconnects = 0;
      // Online, the devices screen reloads the list itself; the requests to answer are this page's to fetch.
      if (state.status === 'signedIn') setState({ ...state, connection: 'online' });
      void refreshRequests();
    };
    ws.onmessage = (event) => {
      const message = RealtimeMessage.safeParse(safeJson(String(event.data)));
      if (message.success) onMessage(message.data);
    };
    ws.onclose = (event) => {
      if (socket !== ws || state.status !== 'signedIn') return;
      socket = undefined;
      // A refused upgrade says nothing a page can read, so ask whether the session still holds: a 401 ends
      // it with the reason. 4001: it ended, and the message before the close said so already.
      void check().then((reachable) => {
        if (state.status !== 'signedIn' || event.code === 4001) return;
        setState({ ...state, connection: reachable ? 'connecting' : 'offline' });
        reconnectTimer = setTimeout(connect, backoff(reconnects++));
      });
    };
  }

  function disconnect(): void {
    clearTimeout(reconnectTimer);
    const ws = socket;
    socket = undefined;
    ws?.close();
  }

  /** The session as the server sees it now; false when the server cannot be reached. */
  async function check(): Promise<boolean> {
    const result = await call(Routes.session, {});
    if (result.ok && state.status === 'signedIn') setState({ ...state, user: result.value.user, session: result.value.session });
    return result.ok || result.error.code !== 'unreachable';
  }

  async function refreshSessions(): Promise<void> {
    const sessions = await call(Routes.listSessions, {});
    if (sessions.ok) emit('sessionsChanged', sessions.value.sessions);
  }

  async function refreshRequests(): Promise<void> {
    const requests = await call(Routes.signInRequests, {});
    if (requests.ok) emit('signInRequests', requests.value.requests);
  }

  function onMessage(message: RealtimeMessage): void {
    if (state.status !== 'signedIn') return;
    const ownId = state.session.id;
    switch (message.type) {
      case 'session.revoked':
        if (message.sessionId !== ownId) return;
        ended(noticeOf(message));
        return;
      case 'session.presence':
        return emit('presence', { sessionId: message.sessionId, online: message.online });
      case 'account.changed':
        return emit('accountChanged', message.change.sessionId === ownId ? null : message.change);
      case 'signin.requested':
      case 'signin.resolved':
        return void refreshRequests();
      default:
        void refreshSessions();
    }
  }

  /** Waits for a device's answer to this browser's sign-in request, one long poll after another. */
  async function waitForApproval(request: Waiting): Promise<void> {
    while (waiting === request && state.status === 'awaitingApproval') {
      const result = await call(Routes.webWaitForApproval, { params: { id: request.id }, body: { secret: request.secret } });
      if (waiting !== request || state.status !== 'awaitingApproval') return;
      if (!result.ok) {
        // The server answered that this request is gone: it will not be approved. Not reached, busy, or an
        // answer not from Latch (a proxy's page), which says nothing of the request: ask again until it expires.
        const gone = !['unreachable', 'unavailable', 'rate_limited', 'unexpected_response'].includes(result.error.code);
        if (gone || Date.parse(state.expiresAt) <= Date.now()) {
          waiting = undefined;
          ended(undefined, { outcome: 'expired' });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        continue;
      }
      const now = result.value;
      if (now.state === 'pending') setState({ ...state, expiresAt: now.expiresAt, ...(now.wrongPick ? { wrongPickBy: now.wrongPick.byDeviceName } : {}) });
      else {
        waiting = undefined;
        if (now.state === 'approved') signedIn(now.result);
        else if (now.state === 'denied') ended(undefined, { outcome: now.reason, byDeviceName: now.byDeviceName });
        else ended(undefined, { outcome: 'expired' });
      }
    }
  }

  const signOutUnfinished = (): boolean => {
    try {
      return localStorage.getItem(UNFINISHED_SIGN_OUT) !== null;
    } catch {
      return false;
    }
  };
  const markSignOutUnfinished = (unfinished: boolean): void => {
    try {
      if (unfinished) localStorage.setItem(UNFINISHED_SIGN_OUT, '1');
      else localStorage.removeItem(UNFINISHED_SIGN_OUT);
    } catch {
      // Storage refused (a private window's quota): this page still keeps asking while it is open.
    }
  };
  /** The server ended the session, or had already (or the account is disabled: every session of it ended). */
  const sessionGone = (result: IpcResult<null>): boolean =>
    result.ok || result.error.code.startsWith('session_') || result.error.code === 'unauthenticated' || result.error.code === 'account_disabled';
  /** Worth asking again: the server was not reached, or could not answer now. */
  const askAgain = (result: IpcResult<null>): boolean =>
    !result.ok && ['unreachable', 'unavailable', 'rate_limited', 'internal', 'unexpected_response'].includes(result.error.code);

  /** Asks the server to end this browser's session until it has, while the page stays signed out. */
  async function finishSignOut(attempt = 0): Promise<void> {
    // Another tab of this browser may have signed in since (its cookie is the one a DELETE would end now).
    if (state.status !== 'signedOut' || state.unfinishedSignOut !== 'waiting' || !signOutUnfinished()) return;
    const result = await call(Routes.webSignOut, {});
    if (sessionGone(result)) {
      markSignOutUnfinished(false);
      if (state.status === 'signedOut' && state.unfinishedSignOut === 'waiting') setState({ ...state, unfinishedSignOut: 'done' });
      return;
    }
    // Any other answer will not change by asking again at once: the next load of the page asks again.
    if (askAgain(result)) setTimeout(() => void finishSignOut(attempt + 1), backoff(attempt));
  }

  /** At load: signed in here or not. Unreachable, the page says so and asks again, rather than offer a second sign-in. */
  async function start(attempt = 0): Promise<void> {
    if (signOutUnfinished()) return void ended();
    const result = await call(Routes.session, {});
    if (result.ok) signedIn(result.value);
    else if (result.error.code !== 'unreachable' && result.error.code !== 'unavailable') ended();
    else {
      setState({ status: 'resuming', serverUrl: origin, keychain: KEYCHAIN, connection: 'offline' });
      setTimeout(() => void start(attempt + 1), backoff(attempt));
    }
  }
  void start();

  const bridge: LatchBridge = {
    getState: async () => ({ ok: true, value: state }),
    async signIn(input) {
      setState({ status: 'signingIn', serverUrl: origin, keychain: KEYCHAIN });
      const result = await call(Routes.webSignIn, { body: { email: input.email, password: input.password } });
      if (!result.ok) {
        ended();
        return result;
      }
      if ('stepUp' in result.value) {
        stepUp = result.value.stepUp.id;
        setState({ status: 'awaitingCode', serverUrl: origin, keychain: KEYCHAIN, email: input.email, purpose: 'stepUp', expiresAt: result.value.stepUp.expiresAt });
        return { ok: true, value: state };
      }
      return { ok: true, value: signedInOrWaiting(result.value, input.email) };
    },
    async signInWithCode(code, password) {
      if (state.status !== 'awaitingCode' || !stepUp) return { ok: false, error: { code: 'not_waiting', message: 'No sign-in is waiting for a code. Sign in again.' } };
      const email = state.email;
      const result = await call(Routes.webSignInWithCode, { body: { id: stepUp, code, password } });
      if (!result.ok) {
        // A wrong code is typed again; anything else starts the sign-in over.
        if (result.error.code !== 'invalid_code') ended();
        return result;
      }
      stepUp = undefined;
      return { ok: true, value: signedInOrWaiting(result.value, email) };
    },
    requestPasswordReset: async (input) => value(await call(Routes.requestReset, { body: { email: input.email } }), (v) => v.codeSent),
    async resetPassword({ email, ...input }) {
      const result = await call(Routes.webConfirmReset, { body: input });
      return result.ok ? { ok: true, value: signedInOrWaiting(result.value, email, true) } : result;
    },
    sendEmailCode: async () => value(await call(Routes.sendEmailCode, {}), (v) => v.codeSent),
    async confirmEmail(code) {
      const result = await call(Routes.confirmEmail, { body: { code } });
      if (!result.ok) return result;
      if (state.status === 'signedIn') setState({ ...state, user: result.value.user });
      return { ok: true, value: state };
    },
    mailSettings: async () => call(Routes.mailSettings, {}),
    setMailSettings: async (settings) => call(Routes.setMailSettings, { body: settings }),
    async signOut() {
      // Its own sign-out is no news to this page: the live connection goes first, so it does not hear it told.
      disconnect();
      const result = await call(Routes.webSignOut, {});
      if (sessionGone(result)) return { ok: true, value: ended() };
      // The server cannot say no to a sign-out, only fail to hear it: this page signs out now, and the
      // session ends as soon as the server can be told (a shared computer must not stay signed in).
      markSignOutUnfinished(true);
      return { ok: true, value: ended() };
    },
    dismissNotice: async () => ({ ok: true, value: state.status === 'signedOut' ? ended() : state }),
    listSessions: async () => value(await call(Routes.listSessions, {}), (v) => v.sessions),
    revokeSession: async (id) => call(Routes.revokeSession, { params: { id } }),
    revokeOtherSessions: async () => call(Routes.revokeOthers, {}),
    renameDevice: async (name) => call(Routes.renameCurrent, { body: { deviceName: name } }),
    securityEvents: async (...args) => call(Routes.securityEvents, { query: { before: args[0] } }),
    deviceActivity: async (sessionId, ...before) =>
      call(Routes.securityEvents, { query: { session: sessionId, before: before[0] } }),
    signedOutSessions: async () => value(await call(Routes.signedOutSessions, {}), (v) => v.sessions),
    // The desktop's alerts of new and copied sign-ins: the page lists devices; it keeps no alerts of its own.
    newSignIns: async () => ({ ok: true, value: [] }),
    dismissNewSignIns: async () => ({ ok: true, value: [] }),
    copiedSignIns: async () => ({ ok: true, value: [] }),
    dismissCopiedSignIns: async () => ({ ok: true, value: [] }),
    reauthenticate: async (password) => value(await call(Routes.reauthenticate, { body: { password } }), () => null),
    changePassword: async (input) => call(Routes.changePassword, { body: { ...input, signOutOtherSessions: true } }),
    openDevicesWindow: async () => ({ ok: true, value: null }),
    async resendSignIn() {
      if (!waiting) return { ok: false, error: { code: 'not_waiting', message: 'No sign-in is waiting for approval.' } };
      return call(Routes.resendSignIn, { params: { id: waiting.id }, body: { secret: waiting.secret } });
    },
    async cancelSignIn() {
      stepUp = undefined;
      const request = waiting;
      waiting = undefined;
      if (request) await call(Routes.cancelSignIn, { params: { id: request.id }, body: { secret: request.secret } });
      return { ok: true, value: ended() };
    },
    async useRecoveryCode(code) {
      const request = waiting;
      if (!request) return { ok: false, error: { code: 'conflict', message: 'There is no sign-in waiting for a code.' } };
      const result = await call(Routes.webRecover, { params: { id: request.id }, body: { secret: request.secret, code } });
      if (!result.ok) return result;
      waiting = undefined;
      signedIn({ user: result.value.user, session: result.value.session });
      return { ok: true, value: { recoveryCodesLeft: result.value.recoveryCodesLeft } };
    },
    signInRequests: async () => value(await call(Routes.signInRequests, {}), (v) => v.requests),
    async answerSignInRequest(id, answer) {
      const result = await call(Routes.answerSignInRequest, { params: { id }, body: answer });
      // Asked again after a wrong number: the prompt shows the new choices at once, not when the push comes.
      if (result.ok && result.value.outcome === 'try_again') await refreshRequests();
      return result;
    },
    approvalSetting: async () => call(Routes.approvalSetting, {}),
    setApproval: async (required, password) => call(Routes.setApproval, { body: { required, password } }),
    regenerateRecoveryCodes: async (password) => call(Routes.regenerateRecoveryCodes, { body: { password } }),
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const heard = listener as (payload: unknown) => void;
      set.add(heard);
      return () => void set.delete(heard);
    },
  };
  return bridge;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
