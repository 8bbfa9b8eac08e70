import { useEffect, useRef, useState } from 'react';
import type { SessionState } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { ConfirmEmailBanner } from '../components/ConfirmEmailBanner.js';
import { FormError } from '../components/Field.js';
import { LiveRegion } from '../components/LiveRegion.js';
import { useBusy } from '../components/use-busy.js';
import { AwaitingApprovalScreen } from '../screens/AwaitingApproval.js';
import { DevicesScreen } from '../screens/Devices.js';
import { RecoveryCodesLeft } from '../screens/Home.js';
import { SignInScreen } from '../screens/SignIn.js';
import { useLatch } from '../store/index.js';

const t = messages.page;

/** Who is signed in here, and the two things only this browser can do: change the password, sign itself out. */
function AccountBar({ state }: { state: Extract<SessionState, { status: 'signedIn' }> }) {
  const signOut = useLatch((s) => s.signOut);
  const passwordFormOpen = useLatch((s) => s.passwordFormOpen);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const [busy, whileBusy] = useBusy();
  const [error, setError] = useState<string | undefined>();
  return (
    <header className="account-bar">
      <div>
        <p className="signed-in-as">
          {t.signedInHere} <strong>{state.user.email}</strong>
        </p>
        <p className="muted">{t.sessionNote}</p>
      </div>
      <div className="actions">
        <button type="button" onClick={() => setPasswordFormOpen(!passwordFormOpen)} aria-expanded={passwordFormOpen}>
          {messages.home.changePassword}
        </button>
        <button
          type="button"
          disabled={busy}
          aria-busy={busy}
          onClick={() => void whileBusy(async () => setError((await signOut())?.message))}
        >
          {busy ? t.signingOut : t.signOutHere}
        </button>
      </div>
      <FormError message={error} />
    </header>
  );
}

function Screen() {
  const session = useLatch((s) => s.session);
  switch (session.status) {
    case 'starting':
      return <main className="narrow" aria-busy="true" />;
    case 'resuming':
      // The page could not ask the server whether this browser is signed in; it asks again by itself.
      return (
        <main className="narrow">
          <h1 tabIndex={-1}>{t.title}</h1>
          <p role="status">{t.unreachable}</p>
        </main>
      );
    case 'signedIn':
      return (
        <>
          <AccountBar state={session} />
          <div className="account-notes">
            <ConfirmEmailBanner state={session} />
            <RecoveryCodesLeft />
          </div>
          <DevicesScreen />
        </>
      );
    case 'awaitingApproval':
      return <AwaitingApprovalScreen state={session} />;
    default:
      return <SignInScreen state={session} page />;
  }
}

const titleOf = (session: SessionState): string =>
  session.status === 'signedIn'
    ? t.titles.devices
    : session.status === 'awaitingApproval'
      ? t.titles.waiting
      : session.status === 'signedOut' && session.notice
        ? t.titles.signedOut
        : session.status === 'signedOut' || session.status === 'signingIn' || session.status === 'awaitingCode'
          ? t.titles.signIn
          : t.title;

export function AccountApp() {
  const session = useLatch((s) => s.session);
  const loadDevices = useLatch((s) => s.loadDevices);
  const previous = useRef(session.status);
  useEffect(() => {
    document.documentElement.lang = messages.lang;
  }, []);
  // The tab says where the page is, so a tab left in the background that was signed out shows it.
  useEffect(() => {
    document.title = titleOf(session);
  }, [session]);
  // The list comes over plain HTTP as soon as this browser is signed in, whether or not its live connection
  // opens (a third tab of one browser is refused one: two a session).
  const signedIn = session.status === 'signedIn';
  useEffect(() => {
    if (signedIn) void loadDevices();
  }, [signedIn, loadDevices]);
  // A new screen takes the focus (the sign-in form its first field, any other its heading), unless something
  // on it took the focus already (a notice that says why this browser was signed out), or the screen stayed
  // (a sign-in that failed). Looked at once the old screen's parts have let go of it.
  useEffect(() => {
    const before = previous.current;
    previous.current = session.status;
    const stayed = before === 'signingIn' && session.status === 'signedOut';
    if (before === session.status || before === 'starting' || session.status === 'signingIn' || stayed) return;
    const frame = requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active && active !== document.body) return;
      const target = session.status === 'signedOut' ? 'main input' : 'main h1';
      document.querySelector<HTMLElement>(target)?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [session.status]);
  return (
    <>
      <Screen />
      <LiveRegion />
    </>
  );
}
