// The account page's LatchBridge: the desktop's session runner and IPC handler table (shared/session/), run
// in the page with the browser's ports (docs/architecture.md, "The account page"). What differs is only
// here: the session is the HttpOnly cookie (no keychain, nothing to rotate: the "rotation" is the session
// check), the calls are fetch to the page's own server, the live channel is the browser's WebSocket, and the
// page remembers nothing but a sign-out it could not finish. The React screens and store do not know which
// of the two they talk to.
import { CLOSE_SESSION_REVOKED, EVENTS_PATH, PAGE_HEADER, RealtimeMessage, type AuthResult, type CurrentSession, type PendingSignIn, type SecondFactor, type StepUp } from '../../../shared/api.js';
import { requestOf, type CallInput, type OkValue } from '../../../shared/client.js';
import type { LatchBridge, SessionState } from '../../../shared/ipc.js';
import { Routes, type RouteSpec } from '../../../shared/routes.js';
import { backoffDelay } from '../../../shared/session/backoff.js';
import { CoreError, valueOf } from '../../../shared/session/errors.js';
import { bridgeOf, createIpcHandlers } from '../../../shared/session/handlers.js';
import type { Api, ProfileData, Realtime, RealtimeHandlers, SessionPorts, Vault } from '../../../shared/session/ports.js';
import { SessionRunner } from '../../../shared/session/runner.js';

const KEYCHAIN = { kind: 'os' as const, store: 'browser' as const };
/** The page's reconnects and retries: 0.5 s doubling to 10 s, with jitter. */
const RETRY = { initialMs: 500, maxMs: 10_000 };
/** The "token" before the server has said whose session the cookie holds (if any). */
const SOME_COOKIE = 'cookie:';
/** The runner tells sign-ins apart by their token: here, the session the cookie holds. */
const cookieOf = (current: CurrentSession) => `${SOME_COOKIE}${current.session.id}`;
const withToken = <T extends CurrentSession>(current: T) => ({ ...current, token: cookieOf(current) });

/**
 * Set while this browser signed itself out and the server has not heard it yet. The session's cookie is
 * HttpOnly, so only the server can end it: the page keeps asking, and on its next load asks before anything.
 */
const UNFINISHED_SIGN_OUT = 'latch.unfinishedSignOut';
const unfinishedSignOut = {
  get(): boolean {
    try {
      return localStorage.getItem(UNFINISHED_SIGN_OUT) !== null;
    } catch {
      return false;
    }
  },
  set(unfinished: boolean): void {
    try {
      if (unfinished) localStorage.setItem(UNFINISHED_SIGN_OUT, '1');
      else localStorage.removeItem(UNFINISHED_SIGN_OUT);
    } catch {
      // Storage refused (a private window's quota): this page still keeps asking while it is open.
    }
  },
};

/**
 * The cookie as the runner's token store: the browser holds it and the server ends it (the sign-out's DELETE,
 * or elsewhere), so there is nothing to write or delete, only whether a sign-out is unfinished to read.
 */
const cookieVault: Vault = {
  state: KEYCHAIN,
  // With a sign-out unfinished, the cookie is one this browser gave up: never presented as signed in.
  read: async () => (unfinishedSignOut.get() ? undefined : SOME_COOKIE),
  write: async () => true,
  delete: async () => undefined,
};

const unreachable = () => new CoreError('offline', 'unreachable', { key: 'unreachable_check_connection' });

/** One call to the page's server through the route table: its header on every request, the cookie by the browser. */
async function call<R extends RouteSpec>(origin: string, spec: R, input: CallInput<R>): Promise<OkValue<R>> {
  const request = requestOf(spec, input);
  let response: Response;
  try {
    response = await fetch(new URL(request.target, origin), {
      method: request.method,
      credentials: 'same-origin',
      cache: 'no-store',
      // As the desktop's client: 10 s, a long poll (up to 25 s on the server) 40 s.
      signal: AbortSignal.timeout(spec.longPoll ? 40_000 : 10_000),
      headers: { [PAGE_HEADER]: '1', ...(request.json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') throw new CoreError('offline', 'timeout', { key: 'server_too_slow' });
    throw unreachable();
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw unreachable();
  }
  return valueOf(spec, response.status, text ? safeJson(text) : undefined, spec.auth === 'session', () => new Date().toISOString());
}

const notHere = () => new CoreError('rejected', 'not_on_page', { key: 'not_on_page' });

/** The API as the runner calls it, answered by the page's own routes where the desktop's differ. */
function pageApi(origin: string, finishSignOut: (soon: boolean) => void): Api {
  const c = <R extends RouteSpec>(spec: R, input: CallInput<R>) => call(origin, spec, input);
  /** Signed in here: a new cookie took the place of one whose sign-out was waiting. */
  const signedInHere = <T extends CurrentSession>(current: T) => {
    unfinishedSignOut.set(false);
    return withToken(current);
  };
  const signedIn = <T extends PendingSignIn | StepUp | SecondFactor>(answer: CurrentSession | T): AuthResult | T => ('session' in answer ? signedInHere(answer as CurrentSession) : (answer as T));
  return {
    register: async () => Promise.reject(notHere()),
    verifySignUp: async () => Promise.reject(notHere()),
    login: async (email, password) => signedIn(await c(Routes.webSignIn, { body: { email, password } })),
    loginWithCode: async (id, code, password) => signedIn(await c(Routes.webSignInWithCode, { body: { id, code, password } })),
    loginWithSecondFactor: async (id, code) => signedInHere(await c(Routes.webSignInWithSecondFactor, { body: { id, code } })),
    requestPasswordReset: (email) => c(Routes.requestReset, { body: { email } }),
    resetPassword: async (body) => signedIn(await c(Routes.webConfirmReset, { body })),
    sendEmailCode: () => c(Routes.sendEmailCode, {}),
    confirmEmail: (code) => c(Routes.confirmEmail, { body: { code } }),
    mailSettings: () => c(Routes.mailSettings, {}),
    setMailSettings: (settings) => c(Routes.setMailSettings, { body: settings }),
    async waitForApproval(id, secret) {
      const answer = await c(Routes.webWaitForApproval, { params: { id }, body: { secret } });
      return answer.state === 'approved' ? { ...answer, result: signedInHere(answer.result) } : answer;
    },
    recover: async (id, secret, code) => signedInHere(await c(Routes.webRecover, { params: { id }, body: { secret, code } })),
    resendSignIn: (id, secret) => c(Routes.resendSignIn, { params: { id }, body: { secret } }),
    cancelSignIn: (id, secret) => c(Routes.cancelSignIn, { params: { id }, body: { secret } }),
    signInRequests: async () => (await c(Routes.signInRequests, {})).requests,
    answerSignInRequest: (id, answer) => c(Routes.answerSignInRequest, { params: { id }, body: answer }),
    approvalSetting: () => c(Routes.approvalSetting, {}),
    setApproval: (required, password) => c(Routes.setApproval, { body: { required, password } }),
    regenerateRecoveryCodes: (password) => c(Routes.regenerateRecoveryCodes, { body: { password } }),
    authenticatorSetting: () => c(Routes.authenticatorSetting, {}),
    beginAuthenticator: (password) => c(Routes.beginAuthenticator, { body: { password } }),
    confirmAuthenticator: (code) => c(Routes.confirmAuthenticator, { body: { code } }),
    turnOffAuthenticator: (password) => c(Routes.turnOffAuthenticator, { body: { password } }),
    passkeys: () => c(Routes.passkeys, {}),
    passkeyAddOptions: () => c(Routes.passkeyAddOptions, {}),
    addPasskey: (id, name, response) => c(Routes.addPasskey, { body: { id, name, response } }),
    renamePasskey: (id, name) => c(Routes.renamePasskey, { params: { id }, body: { name } }),
    removePasskey: (id) => c(Routes.removePasskey, { params: { id } }),
    passkeySignInOptions: () => c(Routes.webPasskeyOptions, {}),
    signInWithPasskey: async (id, response) => signedIn(await c(Routes.webSignInWithPasskey, { body: { id, response } })),
    reauthPasskeyOptions: () => c(Routes.reauthPasskeyOptions, {}),
    reauthenticateWithPasskey: (id, response) => c(Routes.reauthenticateWithPasskey, { body: { id, response } }),
    async logout() {
      // The server cannot say no to a sign-out, only fail to hear it: this page signs out now, and the
      // session ends as soon as the server can be told (a shared computer must not stay signed in).
      const heard = await askToSignOut(origin);
      if (heard !== 'heard') {
        unfinishedSignOut.set(true);
        if (heard === 'again') finishSignOut(false);
      }
      return null;
    },
    // Nothing to rotate: the cookie's session, checked (and, if another tab signed in since, whose it is now).
    async rotate(presented) {
      // Another tab signed this browser out and the server has not heard it yet: the cookie was given up, and
      // this tab, signed out quietly, asks the server too (that tab may be closed).
      if (unfinishedSignOut.get()) {
        finishSignOut(true);
        throw new CoreError('unauthorized', 'unauthenticated', { key: 'browser_signed_out' });
      }
      try {
        return withToken(await c(Routes.session, {}));
      } catch (error) {
        // At load, no session is no news: nothing ended here.
        if (presented === SOME_COOKIE && error instanceof CoreError && error.code === 'unauthenticated') {
          throw new CoreError('unauthorized', error.code, error.say ?? error.message, error.extra.status !== undefined ? { status: error.extra.status } : {});
        }
        throw error;
      }
    },
    changePassword: (body) => c(Routes.changePassword, { body }),
    listSessions: async () => (await c(Routes.listSessions, {})).sessions,
    renameCurrent: (deviceName) => c(Routes.renameCurrent, { body: { deviceName } }),
    revokeSession: (id) => c(Routes.revokeSession, { params: { id } }),
    revokeOthers: () => c(Routes.revokeOthers, {}),
    signedOutSessions: async () => (await c(Routes.signedOutSessions, {})).sessions,
    reauthenticate: (password) => c(Routes.reauthenticate, { body: { password } }),
    securityEvents: (before, session) => c(Routes.securityEvents, { query: { limit: 20, before, session } }),
  };
}

/**
 * Asks the server to end this browser's session: `heard` once it has (or had already: a session code, or the
 * account disabled, every session of it ended); `again` when it was not reached or could not answer now;
 * `later` for any other answer, which asking again at once will not change (the next load of the page asks).
 */
async function askToSignOut(origin: string): Promise<'heard' | 'again' | 'later'> {
  try {
    await call(origin, Routes.webSignOut, {});
    return 'heard';
  } catch (error) {
    if (!(error instanceof CoreError)) return 'later';
    // A 401 with a session code (unauthenticated included) is `unauthorized`: the session is over already.
    if (error.kind === 'unauthorized' || error.code === 'account_disabled') return 'heard';
    return error.kind === 'offline' || error.kind === 'unexpected' || error.code === 'rate_limited' ? 'again' : 'later';
  }
}

/** The live channel in the browser: the cookie goes with the upgrade; reconnects with jittered backoff. */
class PageRealtime implements Realtime {
  private socket: WebSocket | undefined;
  /** The runner's token when the socket was opened: which session's cookie it went with. */
  private openedWith: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private running = false;

  constructor(
    private readonly origin: string,
    private readonly token: () => string | undefined,
    private readonly handlers: RealtimeHandlers,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }

  /** The cookie now holds another session: a socket with it, then the old one closed (make before break). */
  renew(): void {
    const old = this.socket;
    if (!this.running) return;
    // Opened before the server said whose the cookie is: it went with this very session.
    if (this.openedWith === SOME_COOKIE) return void (this.openedWith = this.token());
    // Not open yet: the socket being made goes with the cookie as it is now.
    if (old?.readyState !== WebSocket.OPEN) return;
    this.connect();
    const retire = () => old.close(1000, 'renewed');
    this.socket?.addEventListener('open', retire, { once: true });
    this.socket?.addEventListener('close', retire, { once: true });
  }

  /**
   * A call failed: try now, unless a retry is already waiting out its backoff (every attempt that fails is
   * followed by a check and its calls, and a proxy that drops sockets would otherwise make that a loop).
   */
  reconnectNow(): void {
    if (!this.running || this.socket || this.attempt > 0) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private connect(): void {
    const ws = new WebSocket(new URL(EVENTS_PATH, this.origin.replace(/^http/, 'ws')));
    this.socket = ws;
    this.openedWith = this.token();
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.handlers.onOpen();
    };
    ws.onmessage = (event) => {
      const message = RealtimeMessage.safeParse(safeJson(String(event.data)));
      if (message.success) this.handlers.onMessage(message.data);
    };
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      if (!this.running) return;
      // A page cannot read why an upgrade was refused: one that never opened is taken as refused, and the
      // runner asks the server whether the session still holds (a 401 ends it, with the reason). So is a
      // 4001: it follows a session.revoked, which ends this session unless it was about the cookie's last one.
      this.handlers.onDown(opened && event.code !== CLOSE_SESSION_REVOKED ? {} : { rejectedWithStatus: 401 });
      this.retryTimer = setTimeout(() => this.connect(), backoffDelay(this.attempt++, Math.random, RETRY));
    };
  }
}

export function createWebBridge(origin = window.location.origin): LatchBridge {
  /** Set while finishSignOut republishes the state, to say the server has heard the sign-out. */
  let signOutFinished = false;
  const profile: { data: ProfileData } = { data: { serverUrl: origin } };
  const ports: SessionPorts = {
    vault: () => cookieVault,
    api: () => pageApi(origin, (soon) => void finishSignOut(soon ? 0 : 1)),
    realtime: (_serverUrl, token, handlers) => new PageRealtime(origin, token, handlers),
    clock: { now: () => Date.now(), setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) },
    profile: { read: () => profile.data, update: (change) => (profile.data = { ...profile.data, ...change }) },
    identity: {
      // Never sent: the page's routes take no device; the server names a browser's session from its User-Agent.
      device: (savedName) => ({ name: savedName ?? 'Web browser', platform: 'other', appVersion: 'account page' }),
      claim: () => '',
      fingerprint: (token) => token,
    },
    report: (error) => globalThis.reportError(error),
  };
  const runner = new SessionRunner(ports, {
    defaultServerUrl: origin,
    keepAlerts: false,
    // What the sign-in screen says of a sign-out the server has not heard yet, and once it has.
    present(state: SessionState): SessionState {
      if (state.status !== 'signedOut') return state;
      if (unfinishedSignOut.get()) return { ...state, unfinishedSignOut: 'waiting' };
      if (!signOutFinished) return state;
      signOutFinished = false;
      return { ...state, unfinishedSignOut: 'done' };
    },
  });

  /** Whether this tab is asking already: one loop a tab. */
  let finishing = false;
  /**
   * Asks the server to end this browser's session until it has, while no tab of it has signed in since.
   * `attempt` 0 asks at once; each one after waits longer (0.5 s doubling to 10 s).
   */
  async function finishSignOut(attempt: number): Promise<void> {
    if (finishing) return;
    finishing = true;
    let heard: Awaited<ReturnType<typeof askToSignOut>> = 'again';
    try {
      for (; heard === 'again'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? 0 : backoffDelay(attempt - 1, Math.random, RETRY)));
        // Another tab of this browser may have signed in since (its cookie is the one a DELETE would end now).
        if (!unfinishedSignOut.get()) return;
        heard = await askToSignOut(origin);
      }
    } finally {
      finishing = false;
    }
    if (heard === 'later') return;
    unfinishedSignOut.set(false);
    // Said on the sign-in screen only, and only while it still shows.
    if (runner.getState().status !== 'signedOut') return;
    signOutFinished = true;
    runner.republish();
  }

  if (unfinishedSignOut.get()) void finishSignOut(0);
  // Another tab signed this browser out without reaching the server: this one is signed out too, and asks.
  window.addEventListener('storage', (event) => {
    if (event.key === UNFINISHED_SIGN_OUT && event.newValue !== null) runner.checkNow();
  });
  void runner.start();
  return bridgeOf(createIpcHandlers(runner, { openDevicesWindow: () => undefined }), runner);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
