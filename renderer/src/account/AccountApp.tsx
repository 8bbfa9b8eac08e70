import { useEffect, useRef } from 'react';
import type { SessionState } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { LiveRegion } from '../components/LiveRegion.js';
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
        <button type="button" onClick={() => void signOut()}>
          {t.signOutHere}
        </button>
      </div>
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
          <p role="status" aria-busy="true">
            {t.unreachable}
          </p>
        </main>
      );
    case 'signedIn':
      return (
        <>
          <AccountBar state={session} />
          <div className="account-notes">
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

export function AccountApp() {
  const status = useLatch((s) => s.session.status);
  const previous = useRef(status);
  useEffect(() => {
    document.title = t.title;
    document.documentElement.lang = messages.lang;
  }, []);
  // Signed in or out here: the focus goes to the new screen's heading (on first load, the sign-in form
  // keeps it on the email field).
  useEffect(() => {
    if (previous.current !== status && previous.current !== 'starting') document.querySelector<HTMLElement>('main h1')?.focus();
    previous.current = status;
  }, [status]);
  return (
    <>
      <Screen />
      <LiveRegion />
    </>
  );
}
