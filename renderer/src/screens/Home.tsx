import type { SessionState } from '../../../shared/ipc.js';
import { NewSignInBanners } from '../components/NewSignInBanner.js';
import { PasswordChange } from '../components/PasswordChange.js';
import { PlatformIcon } from '../components/PlatformIcon.js';
import { useLatch } from '../store/index.js';

const CONNECTION_TEXT = { online: 'Online', connecting: 'Reconnecting…', offline: 'Offline' } as const;

export function HomeScreen({ state }: { state: Extract<SessionState, { status: 'signedIn' }> }) {
  const signOut = useLatch((s) => s.signOut);
  const passwordFormOpen = useLatch((s) => s.passwordFormOpen);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  return (
    <main className="narrow">
      <NewSignInBanners />
      <h1>Latch</h1>
      <section className="card" aria-label="This device">
        <p className="signed-in-as">
          Signed in as <strong>{state.user.email}</strong>
        </p>
        <div className="device-line">
          <PlatformIcon platform={state.session.platform} />
          <span className="device-name">{state.session.deviceName}</span>
          <span className={`pill connection-${state.connection}`} role="status" aria-live="polite">
            {CONNECTION_TEXT[state.connection]}
          </span>
        </div>
        {state.connection === 'offline' && (
          <p className="muted offline-note">You stay signed in. Latch checks with the server as soon as it can reach it again.</p>
        )}
        {state.keychain.kind === 'os' ? (
          <p className="muted keychain">Your sign-in is saved in the {state.keychain.backend ?? 'OS keychain'}.</p>
        ) : (
          <p className="warning keychain" role="note">
            Memory only: you will need to sign in again next time Latch starts. {state.keychain.problem}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void window.latch.openDevicesWindow()}>
            Signed-in devices…
          </button>
          <button type="button" onClick={() => setPasswordFormOpen(!passwordFormOpen)} aria-expanded={passwordFormOpen}>
            Change password
          </button>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </section>
      {passwordFormOpen && <PasswordChange onClose={() => setPasswordFormOpen(false)} />}
    </main>
  );
}
