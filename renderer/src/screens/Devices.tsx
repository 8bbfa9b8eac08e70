import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { SessionView } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { focusHeading, useRescueFocus } from '../components/focus.js';
import { CopiedSignInBanners } from '../components/CopiedSignInBanner.js';
import { NewSignInBanners } from '../components/NewSignInBanner.js';
import { LoadFailed, NotLoaded } from '../components/NotLoaded.js';
import { PasswordChange } from '../components/PasswordChange.js';
import { PlatformIcon } from '../components/PlatformIcon.js';
import { ReauthForm } from '../components/ReauthForm.js';
import { useReturnFocus } from '../components/use-return-focus.js';
import { formatDate, formatDateTime, osLocale, placeOf, systemOf, timeAgo } from '../format.js';
import { useLatch } from '../store/index.js';
import { RecentlySignedOut } from './RecentlySignedOut.js';

const t = messages.devices;

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
  const errorId = useId();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError(t.enterName);
    if (name.trim().length > 64) return setError(t.nameTooLong);
    const failed = await renameDevice(name);
    if (failed) setError(failed.details?.[0]?.message ?? failed.message);
    else onDone();
  }
  return (
    <form className="rename" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <label htmlFor="rename-input" className="visually-hidden">
        {t.renameLabel}
      </label>
      <input
        id="rename-input"
        value={name}
        onChange={(e) => setName(e.target.value)}
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      <button type="submit" className="primary">
        {t.save}
      </button>
      <button type="button" onClick={onDone}>
        {messages.common.cancel}
      </button>
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Words that tell this device from others of the same name: its system, place and when it signed in. */
function tellApart(session: SessionView): string {
  return [systemOf(session), placeOf(session.location), t.signedInOn(formatDate(session.createdAt))].filter(Boolean).join(', ');
}

/** After a row goes, the focus moves to the next row's button (or the one before, or the heading). */
function focusAfter(row: HTMLElement | null): () => void {
  const next = (row?.nextElementSibling ?? row?.previousElementSibling) as HTMLElement | null;
  return () =>
    requestAnimationFrame(() => {
      const button = next?.isConnected ? next.querySelector<HTMLElement>('.session-actions button') : null;
      if (button) button.focus();
      else focusHeading();
    });
}

function SessionRow({ session, now, offline, sameName }: { session: SessionView; now: number; offline: boolean; sameName: boolean }) {
  const revokeSession = useLatch((s) => s.revokeSession);
  const revoking = useLatch((s) => s.revoking[session.id] === true);
  const [renaming, setRenaming] = useState(false);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const row = useRef<HTMLLIElement>(null);
  useRescueFocus(row);
  const { opener: signOutButton, returnFocus } = useReturnFocus(needsPassword);
  const { opener: renameButton, returnFocus: returnFromRename } = useReturnFocus(renaming);
  const cancelPassword = () => {
    returnFocus();
    setNeedsPassword(false);
  };
  const signOut = async () => {
    setError(undefined);
    const moveFocus = focusAfter(row.current);
    const failed = await revokeSession(session.id);
    if (failed?.code === 'reauth_required') return setNeedsPassword(true);
    if (failed) {
      setNeedsPassword(false);
      return setError(failed.message);
    }
    moveFocus();
  };
  const place = placeOf(session.location);
  return (
    <li className={`session${session.current ? ' current' : ''}`} aria-label={sameName ? `${session.deviceName} (${tellApart(session)})` : session.deviceName} ref={row}>
      <PlatformIcon platform={session.platform} decorative />
      <div className="session-main">
        {renaming ? (
          <RenameForm
            session={session}
            onDone={() => {
              returnFromRename();
              setRenaming(false);
            }}
          />
        ) : (
          <div className="session-title">
            <span className="device-name">{session.deviceName}</span>
            {session.current && <span className="badge">{t.badge}</span>}
          </div>
        )}
        <ul className="session-meta">
          <li>{systemOf(session)}</li>
          <li>{t.appVersion(session.appVersion)}</li>
          {place && <li className="place">{place}</li>}
          {session.ip && <li>{session.ip}</li>}
          {session.current ? <li>{offline ? t.thisOffline : t.activeNow}</li> : session.online ? <li className="online">{t.onlineNow}</li> : <li>{t.lastActive(timeAgo(session.lastSeenAt, now))}</li>}
          <li>
            {/* The date is in the OS locale, inside an English sentence. */}
            {t.signedInOn('')}
            <time dateTime={session.createdAt} lang={osLocale}>
              {formatDate(session.createdAt)}
            </time>
          </li>
        </ul>
        {needsPassword && <ReauthForm action={t.reauthOne(session.deviceName)} confirmLabel={messages.common.signOut} onConfirmed={signOut} onCancel={cancelPassword} />}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="session-actions">
        {session.current ? (
          !renaming && (
            <button type="button" ref={renameButton} onClick={() => setRenaming(true)}>
              {t.rename}
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
              aria-label={t.signOutNamed(session.deviceName, sameName ? tellApart(session) : undefined)}
              onClick={() => void signOut()}
            >
              {revoking ? messages.common.signingOut : messages.common.signOut}
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
    if (!failed) {
      setConfirming(false);
      // The button and the rows are gone; the heading takes the focus and the live region says how many.
      requestAnimationFrame(focusHeading);
    } else if (failed.code !== 'reauth_required') setError(failed.message);
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
        {t.signOutOthers}
      </button>
    );
  }
  return (
    // The safe answer has the focus, so Enter twice cannot sign every other device out; Escape cancels.
    <div className="confirm" role="group" aria-label={t.confirmGroup} onKeyDown={(e) => e.key === 'Escape' && !busy && !needsPassword && cancel()}>
      {!needsPassword && <span>{t.confirmText(count)}</span>}
      {needsPassword ? (
        <ReauthForm action={t.reauthOthers(count)} confirmLabel={t.reauthOthersButton(count)} onConfirmed={signOutOthers} onCancel={cancel} />
      ) : (
        <>
          <button type="button" className="danger" disabled={busy} onClick={() => void signOutOthers()}>
            {busy ? messages.common.signingOut : t.confirmYes(count)}
          </button>
          <button type="button" autoFocus onClick={cancel}>
            {messages.common.cancel}
          </button>
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const OFFLINE_REASON_ID = 'offline-reason';
/** More devices than this, and a filter box appears. */
const FILTER_FROM = 8;

type SortKey = 'lastActive' | 'name' | 'signedIn';
const SORTS: Record<SortKey, (a: SessionView, b: SessionView) => number> = {
  // Online devices are active now; then the most recently seen.
  lastActive: (a, b) => Number(b.online) - Number(a.online) || b.lastSeenAt.localeCompare(a.lastSeenAt),
  name: (a, b) => a.deviceName.localeCompare(b.deviceName, messages.lang, { sensitivity: 'base' }) || b.lastSeenAt.localeCompare(a.lastSeenAt),
  signedIn: (a, b) => b.createdAt.localeCompare(a.createdAt),
};

function matches(session: SessionView, filter: string): boolean {
  const haystack = [session.deviceName, systemOf(session), placeOf(session.location), session.ip].join(' ').toLocaleLowerCase();
  return filter
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** The list of active devices: this one first, then the others as sorted, narrowed by the filter. */
function SessionList({ sessions, now, offline }: { sessions: SessionView[]; now: number; offline: boolean }) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortKey>('lastActive');
  const others = sessions.filter((s) => !s.current);
  const names = new Map<string, number>();
  for (const s of sessions) names.set(s.deviceName.toLocaleLowerCase(), (names.get(s.deviceName.toLocaleLowerCase()) ?? 0) + 1);
  const many = sessions.length > FILTER_FROM;
  const matching = others.filter((s) => !many || matches(s, filter));
  const shownOthers = matching.length;
  // This device is always listed first, whatever the filter.
  const shown = [...sessions.filter((s) => s.current), ...matching.sort(SORTS[sort])];
  return (
    <>
      {others.length === 0 ? <p className="muted only-session">{t.onlyOne}</p> : <SignOutOthers count={others.length} offline={offline} />}
      {many && (
        <div className="list-tools" role="search">
          <div className="field">
            <label htmlFor="device-filter">{t.filterLabel}</label>
            <input id="device-filter" type="search" value={filter} placeholder={t.filterHint} onChange={(e) => setFilter(e.target.value)} aria-describedby="filter-count" />
          </div>
          <div className="field">
            <label htmlFor="device-sort">{t.sortLabel}</label>
            <select id="device-sort" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
              <option value="lastActive">{t.sortLastActive}</option>
              <option value="name">{t.sortName}</option>
              <option value="signedIn">{t.sortSignedIn}</option>
            </select>
          </div>
          <p id="filter-count" className="muted filter-count" role="status">
            {filter.trim() ? (shownOthers > 0 ? t.showing(shownOthers, others.length) : t.noMatch(filter.trim())) : ''}
          </p>
        </div>
      )}
      <ul className="sessions">
        {shown.map((s) => (
          <SessionRow key={s.id} session={s} now={now} offline={offline} sameName={(names.get(s.deviceName.toLocaleLowerCase()) ?? 0) > 1} />
        ))}
      </ul>
    </>
  );
}

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
        {busy ? messages.common.loading : messages.activity.older}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function RecentActivity({ offline }: { offline: boolean }) {
  const activity = useLatch((s) => s.activity);
  const activityNext = useLatch((s) => s.activityNext);
  const activityError = useLatch((s) => s.activityError);
  const loadDevices = useLatch((s) => s.loadDevices);
  const a = messages.activity;
  return (
    <section aria-labelledby="activity-title" className="activity">
      <h2 id="activity-title">{a.title}</h2>
      {activity === undefined ? (
        <NotLoaded offline={offline} offlineText={a.offline} error={activityError && a.failed(activityError)} onRetry={() => void loadDevices()} />
      ) : activity.length === 0 ? (
        <p className="muted">{a.none}</p>
      ) : (
        <>
          <ul>
            {activity.map((event) => (
              <li key={event.id}>
                <span>{a.describe(event)}</span>
                <span className="muted">
                  <time dateTime={event.at} lang={osLocale}>
                    {formatDateTime(event.at)}
                  </time>
                  {[placeOf(event.location), event.ip].filter(Boolean).map((part) => ` · ${part}`)}
                </span>
              </li>
            ))}
          </ul>
          {activityNext && <ShowOlderActivity />}
        </>
      )}
    </section>
  );
}

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
      <RecentlySignedOut now={now} offline={offline} />
      <RecentActivity offline={offline} />
      <p className="muted attribution">{t.attribution}</p>
    </main>
  );
}
