// One signed-in device: what and where it is, and signing it out.
import { useId, useRef, useState } from 'react';
import type { SessionView } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import { focusHeading, useRescueFocus } from '../../components/focus.js';
import { PlatformIcon } from '../../components/PlatformIcon.js';
import { ReauthForm } from '../../components/ReauthForm.js';
import { useReturnFocus } from '../../components/use-return-focus.js';
import { dateOf, dateLocale, placeOf, systemOf, tellApart, timeAgo } from '../../format.js';
import { useLatch } from '../../store/index.js';
import { DeviceDetails } from './DeviceDetails.js';
import { RenameForm } from './RenameForm.js';
import { OfflineButton } from './OfflineButton.js';

const t = messages.devices;

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

export function SessionRow({ session, now, offline, sameName }: { session: SessionView; now: number; offline: boolean; sameName: boolean }) {
  const renameDevice = useLatch((s) => s.renameDevice);
  const revokeSession = useLatch((s) => s.revokeSession);
  const revoking = useLatch((s) => s.revoking[session.id] === true);
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const row = useRef<HTMLLIElement>(null);
  useRescueFocus(row);
  const { opener: signOutButton, returnFocus } = useReturnFocus(confirming || needsPassword);
  const { opener: renameButton, returnFocus: returnFromRename } = useReturnFocus(renaming);
  const cancel = () => {
    returnFocus();
    setConfirming(false);
    setNeedsPassword(false);
  };
  const signOut = async () => {
    setError(undefined);
    const moveFocus = focusAfter(row.current);
    const failed = await revokeSession(session.id);
    if (failed?.code === 'reauth_required') return setNeedsPassword(true);
    setConfirming(false);
    if (failed) {
      setNeedsPassword(false);
      return setError(failed.message);
    }
    moveFocus();
  };
  const place = placeOf(session.location);
  // Offline, this device cannot know who is online now: it says when each was last seen instead.
  const activity = session.online && !offline ? t.onlineNow : t.lastActive(timeAgo(session.lastSeenAt, now));
  return (
    <li className={`session${session.current ? ' current' : ''}`} aria-label={sameName ? `${session.deviceName} (${tellApart(session)})` : session.deviceName} ref={row}>
      <PlatformIcon platform={session.platform} browser={session.browser === true} decorative />
      <div className="session-main">
        {renaming ? (
          <RenameForm
            label={t.renameLabel}
            initial={session.deviceName}
            tooLong={t.nameTooLong}
            save={async (name) => {
              const failed = await renameDevice(name);
              return failed && (failed.details?.[0]?.message ?? failed.message);
            }}
            onDone={() => {
              returnFromRename();
              setRenaming(false);
            }}
          />
        ) : (
          <div className="session-title">
            <span className="device-name">{session.deviceName}</span>
            {session.current && <span className="badge">{session.browser ? t.badgeBrowser : t.badge}</span>}
          </div>
        )}
        <ul className="session-meta">
          <li>{systemOf(session)}</li>
          <li>{session.browser ? t.browserSession : t.appVersion(session.appVersion)}</li>
          {place && <li className="place">{place}</li>}
          {session.ip && <li>{session.ip}</li>}
          {session.current ? <li>{offline ? t.thisOffline : t.activeNow}</li> : <li className={session.online && !offline ? 'online' : undefined}>{activity}</li>}
          <li>
            {/* The date in its own locale (shared/dates.ts), after the words. */}
            {t.signedInOn('')}
            <time dateTime={session.createdAt} lang={dateLocale}>
              {dateOf(session.createdAt)}
            </time>
          </li>
        </ul>
        <button type="button" className="link details-toggle" aria-expanded={open} aria-controls={open ? detailsId : undefined} aria-label={t.detailsNamed(session.deviceName)} onClick={() => setOpen(!open)}>
          {t.details}
        </button>
        {open && <DeviceDetails id={detailsId} session={session} now={now} offline={offline} />}
        {confirming && !needsPassword && (
          // Which device, where and how recently, before it goes; the safe answer has the focus, so
          // Enter twice signs nobody out, and Escape cancels (docs/architecture.md, "The renderer").
          <div className="confirm confirm-one" role="group" aria-label={t.confirmOneGroup(session.deviceName)} onKeyDown={(e) => e.key === 'Escape' && !revoking && cancel()}>
            <p className="confirm-question">
              <strong>{t.confirmOneText(session.deviceName)}</strong>{' '}
              <span className="muted">{[systemOf(session), place, activity, session.ip].filter(Boolean).join(' · ')}</span>
            </p>
            <OfflineButton className="danger" disabled={revoking} offline={offline} onClick={() => void signOut()}>
              {revoking ? messages.common.signingOut : t.confirmOneYes(session.deviceName)}
            </OfflineButton>
            <button type="button" autoFocus onClick={cancel}>
              {messages.common.cancel}
            </button>
          </div>
        )}
        {needsPassword && <ReauthForm action={t.reauthOne(session.deviceName)} confirmLabel={messages.common.signOut} onConfirmed={signOut} onCancel={cancel} />}
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
          !needsPassword &&
          !confirming && (
            <OfflineButton
              ref={signOutButton}
              className="danger"
              disabled={revoking}
              offline={offline}
              aria-busy={revoking}
              aria-label={t.signOutNamed(session.deviceName, sameName ? tellApart(session) : undefined)}
              onClick={() => setConfirming(true)}
            >
              {messages.common.signOut}
            </OfflineButton>
          )
        )}
      </div>
    </li>
  );
}
