// The session state machine, the desktop's and the account page's, as one pure
// function: step(state, event) gives the next state and the effects to run, in
// order. Nothing here waits, reads a clock or touches the keychain, the server
// or a socket; the runner (runner.ts) runs the effects one at a time through its
// ports and feeds what comes back in as events. See docs/architecture.md, "The
// session state machine", for the diagram.
//
//   starting ─started─▶ restoring ─rotated/rotateFailed─▶ signedIn
//       └──────────────────(no token)──────────────▶ signedOut ⇄ signingIn ─▶ signedIn
//                                              signingIn ─▶ awaitingApproval ─▶ signedIn | signedOut
//   signedIn ─ended (revoked, 401, expiry, sign-out, copied)─▶ signedOut
import type { AccountChange, AuthResult, PendingSignIn, RealtimeMessage, SessionView, SignInOutcome, SignInRequestState, SignInRequestView, StepUp, User } from '../api.js';
import { noticeOf, type CodePurpose, type Connection, type CopiedSignIn, type KeychainState, type Notice, type SessionState, type SignInRefused } from '../ipc.js';
import { CoreError } from './errors.js';

export interface Account {
  user: User;
  session: SessionView;
}

/** Holding a token: restoring it at start, or signed in. */
export interface Held {
  token: string;
  /** Who is signed in; unknown only after an offline start with nothing remembered. */
  account: Account | undefined;
  connection: Connection;
  /** Whether the live channel is open (a socket being replaced counts until its successor is). */
  socketOpen: boolean;
  /** A replacement token being written to the keychain: not used until it is stored. */
  storing?: string;
  /** The token the last replacement took the place of: answers about it are still about this sign-in. */
  replaced?: string;
  /** The person is signing this device out: the end that follows needs no notice. */
  signingOut?: true;
}

/** A sign-in waiting for another device's approval; the secret is what this device waits and recovers with. */
export interface Waiting {
  request: PendingSignIn['pending'];
  email: string;
  /** A recovery code is being tried: the wait's answers are set aside until it is settled. */
  recovering?: true;
  /** A password reset waits (its approval signs every other device out), not a plain sign-in. */
  reset?: true;
  /** A wrong number was picked on this device, and forgiven: one more try there. */
  wrongPickBy?: string;
}

export type MachineState =
  | { status: 'starting' }
  | ({ status: 'restoring' } & Held)
  | { status: 'signedOut'; notice?: Notice; refused?: SignInRefused }
  | { status: 'signingIn'; email: string }
  /**
   * A code by mail is needed: to finish a sign-up (`signUp`), or, after many wrong passwords from elsewhere,
   * a sign-in (`stepUp`, sent with the password again).
   */
  | { status: 'awaitingCode'; email: string; purpose: CodePurpose; code: StepUp['stepUp'] }
  | ({ status: 'awaitingApproval' } & Waiting)
  | ({ status: 'signedIn' } & Held);

/** What a failed call means for the session. */
export type Failure =
  /** Without a notice: there was no session to end (the account page with no cookie). */
  | { kind: 'ended'; notice?: Notice }
  | { kind: 'offline' }
  /** Another rotation of this session changed it meanwhile. */
  | { kind: 'conflict' }
  | { kind: 'other' };

export type MachineEvent =
  /** The keychain has been read at start. `replaced`: the profile says this token was replaced (do not present it). */
  | { type: 'started'; token: string | undefined; replaced: boolean; remembered: Account | undefined }
  | { type: 'signInStarted'; email: string }
  | { type: 'signInFailed' }
  /** Signed in: straight away, approved by another device, or with a recovery code. */
  | { type: 'signInSucceeded'; result: AuthResult }
  /** The account asks one of its devices to approve (docs/architecture.md, "Sign-in approval"). */
  | { type: 'approvalPending'; pending: PendingSignIn; reset?: true }
  /** A code by mail is needed: the sign-up's, or past the account's ceiling of wrong passwords (docs/api.md, "Rate limits"). */
  | { type: 'codeRequired'; purpose: CodePurpose; code: StepUp['stepUp'] }
  /** The account changed as the server tells it (its address confirmed). */
  | { type: 'userUpdated'; user: User }
  /** What the wait for approval heard about request `id`. */
  | { type: 'approvalAnswered'; id: string; state: SignInRequestState }
  | { type: 'approvalCancelled' }
  | { type: 'recoveryStarted' }
  /** The code was refused: back to waiting (the wait may have stopped meanwhile, so it starts again). */
  | { type: 'recoveryFailed' }
  /** The person asked to sign this device out; the server is being told. */
  | { type: 'signOutStarted' }
  /**
   * The session is over: signed out here (no notice), or ended elsewhere (a notice says why). `token`: the
   * answer was about this token; one this sign-in never held (an earlier sign-in's) ends nothing.
   */
  | { type: 'ended'; notice?: Notice; showNotice: boolean; token?: string }
  | { type: 'noticeDismissed' }
  /** The server's answer to a rotation asked with `presented`. */
  | { type: 'rotated'; presented: string; result: AuthResult }
  | { type: 'rotateFailed'; presented: string; failure: Failure; retried: boolean }
  /** A replacement token is in the keychain (`stored`), or in memory only (the keychain failed). */
  | { type: 'tokenStored'; presented: string; token: string; account: Account; stored: boolean; keychainWas: KeychainState['kind'] }
  | { type: 'socketOpened' }
  | { type: 'socketDown'; rejectedWithStatus?: number }
  | { type: 'message'; message: RealtimeMessage }
  /** A call on the session, made with `token`, answered (`failure` absent) or failed. */
  | { type: 'callSettled'; token: string | undefined; failure?: Failure }
  | { type: 'renamed'; session: SessionView }
  | { type: 'timerFired'; timer: TimerName };

export type TimerName = 'rotate' | 'expiry';

export type Effect =
  /** Tell every window: the state as it is once the effects before this one have run. */
  | { type: 'publish'; state: MachineState }
  | { type: 'writeToken'; token: string }
  /** Store a replacement, then report `tokenStored`. */
  | { type: 'storeReplacement'; presented: string; token: string; account: Account }
  | { type: 'deleteToken' }
  | { type: 'rememberAccount'; account: Account | undefined }
  /** The keychain could not take the replacement of `presented`: never present it again (undefined: forget that). */
  | { type: 'rememberReplaced'; presented: string | undefined }
  /** Ask the server for a replacement token (with the token in use), then report `rotated` or `rotateFailed`. */
  | { type: 'rotate'; presented: string; retried: boolean }
  | { type: 'startRealtime' }
  | { type: 'renewRealtime' }
  | { type: 'reconnectNow' }
  | { type: 'stopRealtime' }
  | { type: 'setTimer'; timer: 'rotate' }
  /** Fire when the session expires (a second after `at`). */
  | { type: 'setTimer'; timer: 'expiry'; at: string }
  | { type: 'clearTimers' }
  /** Fetch the device list and report it (and drop alerts about devices no longer in it). */
  | { type: 'refreshSessions' }
  | { type: 'newSignInAlert'; session: SessionView }
  | { type: 'copiedSignInAlert'; alert: CopiedSignIn }
  | { type: 'clearAlerts' }
  | { type: 'presence'; sessionId: string; online: boolean }
  /** Wait (a long poll, again and again) for the answer to the request, and report each as `approvalAnswered`. */
  | { type: 'waitForApproval'; id: string; secret: string }
  /** Withdraw the request on the server (nothing waits for the answer). */
  | { type: 'cancelRequest'; id: string; secret: string }
  /** Another device asks to sign in: show the prompt; answered or ended elsewhere: remove it. */
  | { type: 'signInRequestAlert'; request: SignInRequestView }
  | { type: 'signInRequestResolved'; id: string; outcome: SignInOutcome }
  /** Fetch the requests waiting for an answer (after a reconnect: some may have ended meanwhile). */
  | { type: 'refreshSignInRequests' }
  /** Account changes made while this device was off or offline (a recovery code used), told as if heard live. */
  | { type: 'catchUpAccount' }
  /** The account's approval setting or recovery codes changed: every window reloads them; `change` is set when another device did it. */
  | { type: 'accountChanged'; change?: AccountChange };

export interface Step {
  state: MachineState;
  effects: Effect[];
}

export const initialState: MachineState = { status: 'starting' };

const stay = (state: MachineState): Step => ({ state, effects: [] });

const isHeld = (state: MachineState): state is Extract<MachineState, { status: 'restoring' | 'signedIn' }> =>
  state.status === 'restoring' || state.status === 'signedIn';

/** Whether an answer about `token` is about this sign-in (its token, the one it replaced, or the one being stored). */
const ours = (state: Held, token: string | undefined): boolean =>
  token === undefined || token === state.token || token === state.replaced || token === state.storing;

export function step(state: MachineState, event: MachineEvent): Step {
  switch (event.type) {
    case 'started': {
      if (state.status !== 'starting') return stay(state);
      if (event.token === undefined) return signedOut();
      // Replaced while the keychain could not take the new one: presenting it would look like a copy.
      if (event.replaced) return { state: { status: 'signedOut' }, effects: [{ type: 'deleteToken' }, { type: 'rememberReplaced', presented: undefined }, { type: 'rememberAccount', account: undefined }, publish({ status: 'signedOut' })] };
      const next: MachineState = { status: 'restoring', token: event.token, account: event.remembered, connection: 'connecting', socketOpen: false };
      return { state: next, effects: [{ type: 'rotate', presented: event.token, retried: false }] };
    }

    case 'signInStarted': {
      if (state.status !== 'signedOut') return stay(state);
      const next: MachineState = { status: 'signingIn', email: event.email };
      return { state: next, effects: [publish(next)] };
    }
    case 'signInFailed':
      return state.status === 'signingIn' || state.status === 'awaitingCode' ? signedOut() : stay(state);
    case 'codeRequired': {
      // From a step-up's mailed code, the authenticator's is still to give.
      if (state.status !== 'signingIn' && !(state.status === 'awaitingCode' && state.purpose === 'stepUp' && event.purpose === 'authenticator')) return stay(state);
      const next: MachineState = { status: 'awaitingCode', email: state.email, purpose: event.purpose, code: event.code };
      return { state: next, effects: [publish(next)] };
    }
    case 'userUpdated': {
      if (state.status !== 'signedIn' || !state.account) return stay(state);
      const next = { ...state, account: { ...state.account, user: event.user } };
      return { state: next, effects: [{ type: 'rememberAccount', account: next.account }, publish(next)] };
    }
    case 'approvalPending': {
      if (state.status !== 'signingIn' && state.status !== 'awaitingCode') return stay(state);
      const { pending } = event.pending;
      const next: MachineState = { status: 'awaitingApproval', request: pending, email: state.email, ...(event.reset ? { reset: true as const } : {}) };
      return { state: next, effects: [publish(next), { type: 'waitForApproval', id: pending.id, secret: pending.secret }] };
    }
    case 'approvalAnswered':
      if (state.status !== 'awaitingApproval' || state.request.id !== event.id) return stay(state);
      // While a recovery code is checked, only an approval counts: its session is made and handed over once,
      // so it is this device's (the code then finds the request ended). Anything else waits for the code.
      if (state.recovering && event.state.state !== 'approved') return stay(state);
      return onApprovalAnswer(state, event.state);
    case 'recoveryStarted':
      return state.status === 'awaitingApproval' ? stay({ ...state, recovering: true }) : stay(state);
    case 'recoveryFailed': {
      if (state.status !== 'awaitingApproval') return stay(state);
      const { recovering: _recovering, ...rest } = state;
      return { state: rest, effects: [{ type: 'waitForApproval', id: state.request.id, secret: state.request.secret }] };
    }
    case 'approvalCancelled':
      if (state.status === 'awaitingCode') return signedOut();
      if (state.status !== 'awaitingApproval') return stay(state);
      return signedOut(undefined, [{ type: 'cancelRequest', id: state.request.id, secret: state.request.secret }]);
    case 'signInSucceeded': {
      if (state.status !== 'signingIn' && state.status !== 'awaitingApproval' && state.status !== 'awaitingCode') return stay(state);
      const account = { user: event.result.user, session: event.result.session };
      const next: MachineState = { status: 'signedIn', token: event.result.token, account, connection: 'online', socketOpen: false };
      // Stored only now that the server has accepted it, and before anyone is told.
      return { state: next, effects: [{ type: 'writeToken', token: event.result.token }, ...enter(next)] };
    }

    case 'signOutStarted':
      return state.status === 'signedIn' ? stay({ ...state, signingOut: true }) : stay(state);
    case 'ended':
      if (!isHeld(state) || !ours(state, event.token)) return stay(state);
      // The server's push of this very sign-out can arrive before its answer does.
      return signedOut(event.showNotice && !state.signingOut ? event.notice : undefined, [
        { type: 'stopRealtime' },
        { type: 'clearTimers' },
        { type: 'deleteToken' },
        { type: 'rememberAccount', account: undefined },
        { type: 'clearAlerts' },
      ]);
    case 'noticeDismissed':
      return state.status === 'signedOut' && (state.notice || state.refused) ? signedOut() : stay(state);

    case 'rotated': {
      if (!isHeld(state) || !ours(state, event.presented)) return stay(state);
      const account = { user: event.result.user, session: event.result.session };
      const { token } = event.result;
      // Answered for a token since replaced: only what it says about the account still counts.
      if (token === event.presented || event.presented !== state.token || state.storing === token) return verified(state, account);
      // The replacement is used only once the keychain holds it (docs/architecture.md, "Token rotation").
      return { state: { ...state, storing: token }, effects: [{ type: 'storeReplacement', presented: event.presented, token, account }] };
    }
    case 'tokenStored': {
      const lost: Effect[] = !event.stored && event.keychainWas === 'os' ? [{ type: 'rememberReplaced', presented: event.presented }] : [];
      // Signed out while the keychain was written: the entry must not outlive the session.
      if (!isHeld(state)) return { state, effects: [...lost, { type: 'deleteToken' }] };
      if (state.token !== event.presented) return { state, effects: lost };
      const { storing: _storing, ...rest } = state;
      const next = { ...rest, token: event.token, replaced: event.presented };
      const { state: after, effects } = verified(next, event.account);
      return { state: after, effects: [...lost, { type: 'renewRealtime' }, ...effects] };
    }
    case 'rotateFailed': {
      if (!isHeld(state) || !ours(state, event.presented)) return stay(state);
      const { failure } = event;
      if (failure.kind === 'ended') return step(state, { type: 'ended', ...(failure.notice ? { notice: failure.notice } : {}), showNotice: true, token: event.presented });
      // Another rotation changed the session meanwhile (perhaps replacing the token asked with): once more, with the token in use.
      if (failure.kind === 'conflict' && !event.retried) return { state, effects: [{ type: 'rotate', presented: state.token, retried: true }] };
      // Offline (or a server answering nonsense) is not a sign-out: stay signed in and keep trying.
      if (state.status === 'restoring') {
        const next: MachineState = { ...state, status: 'signedIn', connection: 'offline' };
        return { state: next, effects: [...enter(next), { type: 'setTimer', timer: 'rotate' }] };
      }
      return withConnection(state, 'offline', [{ type: 'setTimer', timer: 'rotate' }]);
    }

    case 'socketOpened':
      if (state.status !== 'signedIn') return stay(state);
      // The socket's word is not the server's: ask, and replace the token while at it.
      return { state: { ...state, socketOpen: true }, effects: [{ type: 'rotate', presented: state.token, retried: false }] };
    case 'socketDown': {
      if (state.status !== 'signedIn') return stay(state);
      const down = { ...state, socketOpen: false };
      // A refused upgrade may mean the session ended while we were away: ask, never assume. Refused as
      // too many for this session: another holder of this sign-in may be connected, and renewing the
      // token is what ends its sockets (docs/architecture.md, "Token rotation").
      if (event.rejectedWithStatus === 401 || event.rejectedWithStatus === 429) {
        return { state: down, effects: [{ type: 'rotate', presented: state.token, retried: false }] };
      }
      return withConnection(down, state.connection === 'online' ? 'connecting' : 'offline');
    }
    case 'message':
      return onMessage(state, event.message);

    case 'callSettled': {
      if (state.status !== 'signedIn' || !ours(state, event.token)) return stay(state);
      const { failure } = event;
      // The server answered: if a failure had marked us offline while the socket stayed up, we are back.
      if (!failure) return state.connection === 'offline' && state.socketOpen ? withConnection(state, 'online') : stay(state);
      if (failure.kind === 'ended') return step(state, { type: 'ended', ...(failure.notice ? { notice: failure.notice } : {}), showNotice: true, token: event.token });
      // Offline: try the socket now, and ask again soon (with the socket up, nothing else would say we are back).
      if (failure.kind === 'offline') return withConnection(state, 'offline', [{ type: 'reconnectNow' }, { type: 'setTimer', timer: 'rotate' }]);
      return stay(state);
    }
    case 'renamed': {
      if (state.status !== 'signedIn' || !state.account) return stay(state);
      const next = { ...state, account: { ...state.account, session: event.session } };
      return { state: next, effects: [{ type: 'rememberAccount', account: next.account }, publish(next)] };
    }
    case 'timerFired':
      return state.status === 'signedIn' ? { state, effects: [{ type: 'rotate', presented: state.token, retried: false }] } : stay(state);
  }
}

/** The server has vouched for the session: signed in, and online if the socket is up. */
function verified(state: Extract<MachineState, { status: 'restoring' | 'signedIn' }>, account: Account): Step {
  const next: MachineState = {
    ...state,
    status: 'signedIn',
    account,
    connection: state.status === 'restoring' ? 'online' : state.socketOpen ? 'online' : 'connecting',
  };
  const effects: Effect[] = [...enter(next), { type: 'setTimer', timer: 'rotate' }];
  // A check with the socket still down (a refused upgrade) reloads nothing: the socket's opening will.
  if (state.status === 'signedIn' && !state.socketOpen) return { state: next, effects };
  // A reconnect or a renewal: the list, and the requests to answer, may have changed while we were away.
  if (state.status === 'signedIn') effects.push({ type: 'refreshSessions' }, { type: 'refreshSignInRequests' });
  // At start too: what changed on the account while the app was closed.
  effects.push({ type: 'catchUpAccount' });
  return { state: next, effects };
}

/** Entering (or confirming) the signed-in state: remember who, tell every window, watch expiry, keep the socket up. */
function enter(state: Extract<MachineState, { status: 'signedIn' }>): Effect[] {
  const effects: Effect[] = [];
  if (state.account) effects.push({ type: 'rememberAccount', account: state.account });
  effects.push(publish(state));
  if (state.account) effects.push({ type: 'setTimer', timer: 'expiry', at: state.account.session.expiresAt });
  effects.push({ type: 'startRealtime' });
  return effects;
}

function onApprovalAnswer(state: Extract<MachineState, { status: 'awaitingApproval' }>, answer: SignInRequestState): Step {
  switch (answer.state) {
    case 'pending': {
      const wrongPickBy = answer.wrongPick?.byDeviceName;
      if (wrongPickBy === undefined || wrongPickBy === state.wrongPickBy) return stay(state);
      const next = { ...state, wrongPickBy };
      return { state: next, effects: [publish(next)] };
    }
    case 'approved':
      return step({ status: 'signingIn', email: state.email }, { type: 'signInSucceeded', result: answer.result });
    case 'denied':
      return signedOut(undefined, [], { outcome: answer.reason, byDeviceName: answer.byDeviceName });
    case 'expired':
      return signedOut(undefined, [], { outcome: 'expired' });
  }
}

function onMessage(state: MachineState, message: RealtimeMessage): Step {
  if (state.status !== 'signedIn') return stay(state);
  const ownId = state.account?.session.id;
  switch (message.type) {
    case 'session.revoked': {
      // Who this device is is not known yet (an offline start): ask the server rather than ignore it.
      if (ownId === undefined) return { state, effects: [{ type: 'rotate', presented: state.token, retried: false }] };
      if (message.sessionId !== ownId) return stay(state);
      return step(state, { type: 'ended', notice: noticeOf(message), showNotice: true });
    }
    case 'session.token_reused': {
      const { type: _type, ...alert } = message;
      // The copied device is gone from the list, and its new-sign-in alert with it.
      return { state, effects: [{ type: 'copiedSignInAlert', alert }, { type: 'refreshSessions' }] };
    }
    case 'sessions.changed':
      return { state, effects: [{ type: 'refreshSessions' }] };
    case 'session.created':
      // Its own sign-in, or one this device just approved, is no news here.
      return message.session.id === ownId || (ownId !== undefined && message.approvedBy === ownId)
        ? stay(state)
        : { state, effects: [{ type: 'newSignInAlert', session: message.session }] };
    case 'session.presence':
      return { state, effects: [{ type: 'presence', sessionId: message.sessionId, online: message.online }] };
    case 'signin.requested':
      return { state, effects: [{ type: 'signInRequestAlert', request: message.request }] };
    case 'signin.resolved':
      return { state, effects: [{ type: 'signInRequestResolved', id: message.id, outcome: message.outcome }] };
    case 'account.changed':
      return { state, effects: [{ type: 'accountChanged', ...(message.change.sessionId === ownId ? {} : { change: message.change }) }] };
  }
}

function signedOut(notice?: Notice, before: Effect[] = [], refused?: SignInRefused): Step {
  const state: MachineState = { status: 'signedOut', ...(notice ? { notice } : {}), ...(refused ? { refused } : {}) };
  return { state, effects: [...before, publish(state)] };
}

function withConnection(state: Extract<MachineState, { status: 'signedIn' }>, connection: Connection, effects: Effect[] = []): Step {
  if (state.connection === connection) return { state, effects };
  const next = { ...state, connection };
  return { state: next, effects: [publish(next), ...effects] };
}

const publish = (state: MachineState): Effect => ({ type: 'publish', state });

/** What a failed call means: only an authoritative 401 ends the session; a network failure is "offline". */
export function failureOf(error: unknown): Failure {
  if (!(error instanceof CoreError)) return { kind: 'other' };
  if (error.kind === 'unauthorized') return { kind: 'ended', ...(error.extra.signOut ? { notice: error.extra.signOut } : {}) };
  if (error.kind === 'offline') return { kind: 'offline' };
  if (error.code === 'conflict') return { kind: 'conflict' };
  return { kind: 'other' };
}

/** The state every window sees. */
export function publicState(state: MachineState, serverUrl: string, keychain: KeychainState): SessionState {
  switch (state.status) {
    case 'starting':
    case 'restoring':
      return { status: 'starting' };
    case 'signedOut':
      return { status: 'signedOut', serverUrl, keychain, ...(state.notice ? { notice: state.notice } : {}), ...(state.refused ? { refused: state.refused } : {}) };
    case 'signingIn':
      return { status: 'signingIn', serverUrl, keychain };
    case 'awaitingCode':
      return { status: 'awaitingCode', serverUrl, keychain, email: state.email, purpose: state.purpose, expiresAt: state.code.expiresAt };
    case 'awaitingApproval':
      return {
        status: 'awaitingApproval',
        serverUrl,
        keychain,
        email: state.email,
        number: state.request.number,
        expiresAt: state.request.expiresAt,
        ...(state.reset ? { reset: true as const } : {}),
        ...(state.wrongPickBy !== undefined ? { wrongPickBy: state.wrongPickBy } : {}),
      };
    case 'signedIn':
      return state.account
        ? { status: 'signedIn', serverUrl, keychain, connection: state.connection, user: state.account.user, session: state.account.session }
        : { status: 'resuming', serverUrl, keychain, connection: state.connection };
  }
}
