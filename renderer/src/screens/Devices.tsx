// The "Signed-in devices" window: its parts are in screens/devices/, one component per file.
import { useEffect } from 'react';
import { messages } from '../../../shared/messages.js';
import { focusHeading } from '../components/focus.js';
import { CopiedSignInBanners } from '../components/CopiedSignInBanner.js';
import { NewSignInBanners } from '../components/NewSignInBanner.js';
import { LoadFailed } from '../components/NotLoaded.js';
import { PasswordChange } from '../components/PasswordChange.js';
import { useLatch } from '../store/index.js';
import { RecentlySignedOut } from './RecentlySignedOut.js';
import { useNow } from './devices/use-now.js';
import { OFFLINE_REASON_ID } from './devices/ids.js';
import { SessionList } from './devices/SessionList.js';
import { RecentActivity } from './devices/RecentActivity.js';
import { MailSetting } from './devices/MailSetting.js';
import { SignInApprovalSetting } from './devices/SignInApprovalSetting.js';
import { AuthenticatorSetting } from './devices/AuthenticatorSetting.js';
import { PasskeysSetting } from './devices/PasskeysSetting.js';
import { SignInRequestPrompt } from '../components/SignInRequestPrompt.js';

const t = messages.devices;

export function DevicesScreen() {
  const session = useLatch((s) => s.session);
  const sessions = useLatch((s) => s.sessions);
  const devicesError = useLatch((s) => s.devicesError);
  const loadDevices = useLatch((s) => s.loadDevices);
  const passwordFormOpen = useLatch((s) => s.passwordFormOpen);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const now = useNow();
  const signedIn = session.status === 'signedIn';
  const online = signedIn && session.connection === 'online';
  const offline = signedIn && session.connection === 'offline';

  // Loaded when the window opens, and again whenever the connection comes back.
  useEffect(() => {
    if (online) void loadDevices();
  }, [online, loadDevices]);

  if (session.status === 'starting') return <main className="wide" aria-busy="true" />;
  if (session.status === 'resuming') {
    return (
      <main className="wide">
        <header className="page-header">
          <h1 tabIndex={-1}>{t.title}</h1>
          <span className={`pill connection-${session.connection}`}>{messages.connection[session.connection]}</span>
        </header>
        {session.connection === 'offline' ? (
          <p className="muted">{t.offlineDevices}</p>
        ) : (
          <p className="muted" aria-busy="true">
            {t.loadingDevices}
          </p>
        )}
      </main>
    );
  }
  if (!signedIn) {
    return (
      <main className="wide">
        <h1 tabIndex={-1}>{t.title}</h1>
        <p className="muted">{t.signedOutHere}</p>
      </main>
    );
  }
  return (
    <main className="wide">
      <SignInRequestPrompt />
      <CopiedSignInBanners />
      <NewSignInBanners />
      <header className="page-header">
        <h1 tabIndex={-1}>{t.title}</h1>
        {session.connection !== 'online' && <span className={`pill connection-${session.connection}`}>{messages.connection[session.connection]}</span>}
      </header>
      {passwordFormOpen && (
        <PasswordChange
          onClose={() => {
            setPasswordFormOpen(false);
            requestAnimationFrame(focusHeading);
          }}
        />
      )}
      {offline && sessions !== undefined && (
        <p className="warning" id={OFFLINE_REASON_ID}>
          {t.offlineReason}
        </p>
      )}
      {devicesError && !offline && <LoadFailed message={devicesError} onRetry={() => void loadDevices()} />}
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title" className="visually-hidden">
          {t.activeTitle}
        </h2>
        {sessions === undefined ? (
          offline ? (
            <p className="muted">{t.offlineDevices}</p>
          ) : (
            !devicesError && (
              <p className="muted" aria-busy="true">
                {t.loadingDevices}
              </p>
            )
          )
        ) : (
          <SessionList sessions={sessions} now={now} offline={offline} />
        )}
      </section>
      <SignInApprovalSetting offline={offline} />
      <AuthenticatorSetting offline={offline} />
      <PasskeysSetting offline={offline} />
      <MailSetting offline={offline} />
      <RecentlySignedOut now={now} offline={offline} />
      <RecentActivity offline={offline} />
      <p className="muted attribution">{t.attribution}</p>
    </main>
  );
}
