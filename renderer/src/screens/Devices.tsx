import { useEffect, useState, type FormEvent } from 'react';
import type { SessionView } from '../../../shared/api.js';
import { NewSignInBanners } from '../components/NewSignInBanner.js';
import { PasswordChange } from '../components/PasswordChange.js';
import { PlatformIcon } from '../components/PlatformIcon.js';
import { ReauthForm } from '../components/ReauthForm.js';
import { useReturnFocus } from '../components/use-return-focus.js';
import { describeActivity, formatDate, formatDateTime, PLATFORM_NAMES, timeAgo } from '../format.js';
import { useLatch } from '../store/index.js';

/** Re-render every 30 s so "last active 3 minutes ago" stays true. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function RenameForm({ session, onDone }: { session: SessionView; onDone: () => void }) {
  const renameDevice = useLatch((s) => s.renameDevice);
  const [name, setName] = useState(session.deviceName);
  const [error, setError] = useState<string | undefined>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Enter a name');
    const failed = await renameDevice(name);
    if (failed) setError(failed.details?.[0]?.message ?? failed.message);
    else onDone();
  }
  return (
    <form className="rename" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <label htmlFor="rename-input" className="visually-hidden">
        Device name
      </label>
      <input id="rename-input" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} autoFocus aria-invalid={error ? true : undefined} />
      <button type="submit" className="primary">
        Save
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {error && <p className="field-error">{error}</p>}
    </form>
  );
}

function SessionRow({ session, now, offline }: { session: SessionView; now: number; offline: boolean }) {
  const revokeSession = useLatch((s) => s.revokeSession);
  const revoking = useLatch((s) => s.revoking[session.id] === true);
  const [renaming, setRenaming] = useState(false);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const { opener: signOutButton, returnFocus } = useReturnFocus(needsPassword);
  const cancelPassword = () => {
    returnFocus();
    setNeedsPassword(false);
  };
  const signOut = async () => {
    setError(undefined);
    const failed = await revokeSession(session.id);
    if (failed?.code === 'reauth_required') return setNeedsPassword(true);
    setNeedsPassword(false);
    if (failed && failed.code !== 'not_found') setError(failed.message);
  };
  return (
    <li className={`session${session.current ? ' current' : ''}`} aria-label={session.deviceName}>
      <PlatformIcon platform={session.platform} />
      <div className="session-main">
        {renaming ? (
          <RenameForm session={session} onDone={() => setRenaming(false)} />
        ) : (
          <div className="session-title">
            <span className="device-name">{session.deviceName}</span>
            {session.current && <span className="badge">This device</span>}
          </div>
        )}
        <div className="session-meta">
          <span>{PLATFORM_NAMES[session.platform]}</span>
          <span>Latch {session.appVersion}</span>
          <span>{session.ip}</span>
          {session.current ? <span>active now</span> : session.online ? <span className="online">online now</span> : <span>last active {timeAgo(session.lastSeenAt, now)}</span>}
          <span>signed in {formatDate(session.createdAt)}</span>
        </div>
        {needsPassword && <ReauthForm action={`sign out '${session.deviceName}'`} confirmLabel="Sign out" onConfirmed={signOut} onCancel={cancelPassword} />}
        {error && <p className="form-error">{error}</p>}
      </div>
      <div className="session-actions">
        {session.current ? (
          !renaming && (
            <button type="button" onClick={() => setRenaming(true)}>
              Rename
            </button>
          )
        ) : (
          !needsPassword && (
          <button
            type="button"
            ref={signOutButton}
            className="danger"
            disabled={revoking || offline}
            aria-describedby={offline ? OFFLINE_REASON_ID : undefined}
            aria-busy={revoking}
            aria-label={`Sign out ${session.deviceName}`}
            onClick={() => void signOut()}
          >
            {revoking ? 'Signing out…' : 'Sign out'}
          </button>
          )
        )}
      </div>
    </li>
  );
}

function SignOutOthers({ count, offline }: { count: number; offline: boolean }) {
  const revokeOtherSessions = useLatch((s) => s.revokeOtherSessions);
  const [confirming, setConfirming] = useState(false);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const { opener, returnFocus } = useReturnFocus(confirming);
  const signOutOthers = async () => {
    setBusy(true);
    setError(undefined);
    const failed = await revokeOtherSessions();
    setBusy(false);
    setNeedsPassword(failed?.code === 'reauth_required');
    if (!failed) setConfirming(false);
    else if (failed.code !== 'reauth_required') setError(failed.message);
  };
  const cancel = () => {
    returnFocus();
    setNeedsPassword(false);
    setConfirming(false);
  };
  if (!confirming) {
    return (
      <button
        type="button"
        className="danger"
        ref={opener}
        disabled={offline}
        aria-describedby={offline ? OFFLINE_REASON_ID : undefined}
        onClick={() => setConfirming(true)}
      >
        Sign out all other devices
      </button>
    );
  }
  return (
    // The safe answer has the focus, so Enter twice cannot sign every other device out; Escape cancels.
    <div className="confirm" role="group" aria-label="Confirm signing out all other devices" onKeyDown={(e) => e.key === 'Escape' && !busy && !needsPassword && cancel()}>
      <span>
        Are you sure? This signs out {count} other device{count === 1 ? '' : 's'}.
      </span>
      {needsPassword ? (
        <ReauthForm action={`sign out ${count} other device${count === 1 ? '' : 's'}`} confirmLabel={`Sign out ${count}`} onConfirmed={signOutOthers} onCancel={cancel} />
      ) : (
        <>
          <button type="button" className="danger" disabled={busy} onClick={() => void signOutOthers()}>
            {busy ? 'Signing out…' : `Yes, sign out ${count}`}
          </button>
          <button type="button" autoFocus onClick={cancel}>
            Cancel
          </button>
        </>
      )}
      {error && <p className="form-error">{error}</p>}
    </div>
  );
}

const OFFLINE_REASON_ID = 'offline-reason';

/** One page more of recent activity; busy while it loads, and says so when it cannot. */
function ShowOlderActivity() {
  const loadMoreActivity = useLatch((s) => s.loadMoreActivity);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  return (
    <div className="actions">
      <button
        type="button"
        disabled={busy}
        aria-busy={busy}
        onClick={async () => {
          setBusy(true);
          const failed = await loadMoreActivity();
          setBusy(false);
          setError(failed?.message);
        }}
      >
        {busy ? 'Loading…' : 'Show older activity'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function DevicesScreen() {
  const session = useLatch((s) => s.session);
  const sessions = useLatch((s) => s.sessions);
  const activity = useLatch((s) => s.activity);
  const activityNext = useLatch((s) => s.activityNext);
  const activityError = useLatch((s) => s.activityError);
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
  if (!signedIn) {
    return (
      <main className="wide">
        <h1>Signed-in devices</h1>
        <p className="muted">This device is signed out. Sign in from the main window to see your devices.</p>
      </main>
    );
  }
  const others = sessions?.filter((s) => !s.current).length ?? 0;
  return (
    <main className="wide">
      <NewSignInBanners />
      <header className="page-header">
        <h1>Signed-in devices</h1>
        {session.connection !== 'online' && (
          <span className={`pill connection-${session.connection}`} role="status">
            {session.connection === 'offline' ? 'Offline' : 'Reconnecting…'}
          </span>
        )}
      </header>
      {passwordFormOpen && <PasswordChange onClose={() => setPasswordFormOpen(false)} />}
      {offline && sessions !== undefined && (
        <p className="warning" id={OFFLINE_REASON_ID}>
          Latch is offline, so no device can be signed out right now. It reconnects by itself.
        </p>
      )}
      {devicesError && !offline && (
        <p className="form-error" role="alert">
          {devicesError}{' '}
          <button type="button" className="link" onClick={() => void loadDevices()}>
            Try again
          </button>
        </p>
      )}
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title" className="visually-hidden">
          Active sessions
        </h2>
        {sessions === undefined ? (
          offline ? (
            <p className="muted">Your devices cannot load while Latch is offline. They load when the connection is back.</p>
          ) : (
            !devicesError && (
              <p className="muted" aria-busy="true">
                Loading your devices…
              </p>
            )
          )
        ) : (
          <>
            {others === 0 ? <p className="muted only-session">This is your only active session.</p> : <SignOutOthers count={others} offline={offline} />}
            <ul className="sessions">
              {sessions.map((s) => (
                <SessionRow key={s.id} session={s} now={now} offline={offline} />
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="activity-title" className="activity">
        <h2 id="activity-title">Recent activity</h2>
        {activity === undefined ? (
          offline ? (
            <p className="muted">Recent activity cannot load while Latch is offline. It loads when the connection is back.</p>
          ) : activityError ? (
            <p className="form-error" role="alert">
              Recent activity could not load: {activityError}{' '}
              <button type="button" className="link" onClick={() => void loadDevices()}>
                Try again
              </button>
            </p>
          ) : (
            <p className="muted">Loading…</p>
          )
        ) : activity.length === 0 ? (
          <p className="muted">Nothing yet.</p>
        ) : (
          <>
            <ul>
              {activity.map((event) => (
                <li key={event.id}>
                  <span>{describeActivity(event)}</span>
                  <span className="muted">
                    {formatDateTime(event.at)} · {event.ip}
                  </span>
                </li>
              ))}
            </ul>
            {activityNext && <ShowOlderActivity />}
          </>
        )}
      </section>
    </main>
  );
}
