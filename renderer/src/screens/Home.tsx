import { useEffect, useRef } from 'react';
import type { SessionState } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { ConfirmEmailBanner } from '../components/ConfirmEmailBanner.js';
import { CopiedSignInBanners } from '../components/CopiedSignInBanner.js';
import { NewSignInBanners } from '../components/NewSignInBanner.js';
import { PasswordChange } from '../components/PasswordChange.js';
import { PlatformIcon } from '../components/PlatformIcon.js';
import { SignInRequestPrompt } from '../components/SignInRequestPrompt.js';
import { useLatch } from '../store/index.js';

const t = messages.home;

export function HomeScreen({ state }: { state: Extract<SessionState, { status: 'signedIn' | 'resuming' }> }) {
  const signOut = useLatch((s) => s.signOut);
  const openDevicesWindow = useLatch((s) => s.openDevicesWindow);
  const passwordFormOpen = useLatch((s) => s.passwordFormOpen);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const heading = useRef<HTMLHeadingElement>(null);
  const passwordButton = useRef<HTMLButtonElement>(null);
  // Just signed in (or started signed in): the focus starts at the top of this screen, not on the body.
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="narrow">
      <h1 tabIndex={-1} ref={heading}>
        {messages.appName}
      </h1>
      {/* After the heading, which has the focus after signing in: Tab reaches the alerts first. */}
      <SignInRequestPrompt />
      <ConfirmEmailBanner state={state} />
      <RecoveryCodesLeft />
      <CopiedSignInBanners />
      <NewSignInBanners />
      <section className="card" aria-label={t.thisDeviceLabel}>
        {state.status === 'signedIn' ? (
          <p className="signed-in-as">
            {t.signedInAs} <strong>{state.user.email}</strong>
          </p>
        ) : (
          <p className="signed-in-as">{t.resuming}</p>
        )}
        <div className="device-line">
          {state.status === 'signedIn' && (
            <>
              <PlatformIcon platform={state.session.platform} browser={state.session.browser === true} />
              <span className="device-name">{state.session.deviceName}</span>
            </>
          )}
          {/* Changes are announced by the live region; this pill only shows. */}
          <span className={`pill connection-${state.connection}`}>{messages.connection[state.connection]}</span>
        </div>
        {state.status === 'signedIn' && state.connection === 'offline' && <p className="muted offline-note">{t.offlineNote}</p>}
        {state.keychain.kind === 'os' ? (
          <p className="muted keychain">{t.keychainSaved(state.keychain.store)}</p>
        ) : (
          <p className="warning keychain" role="note">
            {t.memoryOnly} {messages.keychainUnavailable(state.keychain.store, state.keychain.problem)}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void openDevicesWindow()}>
            {t.openDevices}
          </button>
          <button type="button" ref={passwordButton} onClick={() => setPasswordFormOpen(!passwordFormOpen)} aria-expanded={passwordFormOpen}>
            {t.changePassword}
          </button>
          <button type="button" onClick={() => void signOut()}>
            {messages.common.signOut}
          </button>
        </div>
      </section>
      {passwordFormOpen && (
        <PasswordChange
          onClose={() => {
            setPasswordFormOpen(false);
            requestAnimationFrame(() => passwordButton.current?.focus());
          }}
        />
      )}
    </main>
  );
}

/** Just signed in with a recovery code: how many are left, until dismissed. */
export function RecoveryCodesLeft() {
  const left = useLatch((s) => s.recoveryCodesLeft);
  const dismiss = useLatch((s) => s.dismissRecoveryCodesLeft);
  if (left === undefined) return null;
  return (
    <section className="banner" role="status">
      <p>{messages.approval.codesLeft(left)}</p>
      <div className="actions">
        <button type="button" onClick={dismiss}>
          {messages.common.dismiss}
        </button>
      </div>
    </section>
  );
}
