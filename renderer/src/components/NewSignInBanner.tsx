import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { SessionView } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { timeOf, dateLocale, placeOf, systemOf } from '../format.js';
import { useLatch } from '../store/index.js';
import { FormError } from './Field.js';
import { focusHeading } from './focus.js';
import { ReauthForm } from './ReauthForm.js';

const t = messages.alerts;

/** One new sign-in: what and where, "That wasn't me" (named after the device) and Dismiss. */
function Alert({ session, onGone }: { session: SessionView; onGone: (nextFrom: HTMLElement | null) => void }) {
  const revokeSession = useLatch((s) => s.revokeSession);
  const dismiss = useLatch((s) => s.dismissNewSignIns);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const [error, setError] = useState<string | undefined>();
  const [needsPassword, setNeedsPassword] = useState(false);
  const item = useRef<HTMLLIElement>(null);
  const notMeButton = useRef<HTMLButtonElement>(null);
  // An error from a try while offline goes when the connection is back: "That wasn't me" can work again.
  const online = useLatch((s) => s.session.status === 'signedIn' && s.session.connection === 'online');
  useEffect(() => {
    if (online) setError(undefined);
  }, [online]);

  async function notMe() {
    setError(undefined);
    const failed = await revokeSession(session.id);
    if (failed?.code === 'reauth_required') return setNeedsPassword(true);
    setNeedsPassword(false);
    if (failed) return setError(failed.message);
    onGone(item.current);
    await dismiss([session.id]);
    // The password form opens next, and takes the focus.
    setPasswordFormOpen(true);
  }

  const where = [placeOf(session.location, true), session.ip].filter(Boolean).join(', ');
  return (
    <li ref={item}>
      <div className="alert-text">
        {t.signedInFrom(session.deviceName, systemOf(session), where)}
        {/* When, in the OS locale, as every date in the app (format.ts). */}
        <span className="muted">
          {' · '}
          <time dateTime={session.createdAt} lang={dateLocale}>
            {timeOf(session.createdAt)}
          </time>
        </span>
        <FormError message={error} />
        {needsPassword && (
          <ReauthForm
            action={messages.devices.reauthOne(session.deviceName)}
            confirmLabel={messages.common.signOut}
            onConfirmed={notMe}
            onCancel={() => {
              setNeedsPassword(false);
              requestAnimationFrame(() => notMeButton.current?.focus());
            }}
          />
        )}
      </div>
      {!needsPassword && (
        <div className="actions">
          <button type="button" ref={notMeButton} className="danger" aria-label={t.notMeNamed(session.deviceName)} onClick={() => void notMe()}>
            {t.notMe}
          </button>
          <button
            type="button"
            aria-label={t.dismissNamed(session.deviceName)}
            onClick={() => {
              onGone(item.current);
              void dismiss([session.id]);
            }}
          >
            {messages.common.dismiss}
          </button>
        </div>
      )}
    </li>
  );
}

/**
 * New sign-ins on the account, as one alert however many there are: the
 * newest shown, the rest behind "Show them", and "Dismiss all". The same list
 * is in every window. It is not a live region itself (it holds controls);
 * the store announces each arrival politely.
 */
export function NewSignInBanners() {
  const alerts = useLatch((s) => s.newSignIns);
  const dismiss = useLatch((s) => s.dismissNewSignIns);
  const announce = useLatch((s) => s.announce);
  const [expanded, setExpanded] = useState(false);
  const region = useRef<HTMLElement>(null);
  const focusNext = useRef<HTMLElement | null | undefined>(undefined);

  // After one goes, focus moves to the next alert's first button, or to the page heading.
  useLayoutEffect(() => {
    if (focusNext.current === undefined) return;
    const from = focusNext.current;
    focusNext.current = undefined;
    const target = from?.isConnected ? from.querySelector('button') : region.current?.querySelector('li button');
    if (target instanceof HTMLElement) target.focus();
    else if (!document.querySelector('.card form, .reauth')) focusHeading();
  });
  const onGone = (item: HTMLElement | null) => {
    focusNext.current = (item?.nextElementSibling ?? item?.previousElementSibling) as HTMLElement | null;
  };

  if (alerts.length === 0) return null;
  const shown = expanded || alerts.length === 1 ? alerts : alerts.slice(0, 1);
  return (
    <section className="banner" aria-labelledby="alerts-title" ref={region}>
      <div className="banner-head">
        <strong id="alerts-title">{alerts.length === 1 ? t.one : t.many(alerts.length)}</strong>
        {alerts.length > 1 && (
          <div className="actions">
            <button type="button" aria-expanded={expanded} aria-controls="alerts-list" onClick={() => setExpanded(!expanded)}>
              {expanded ? t.hide : t.show}
            </button>
            <button
              type="button"
              onClick={() => {
                focusNext.current = null;
                void dismiss(alerts.map((s) => s.id));
                announce(messages.announce.alertsDismissed);
              }}
            >
              {t.dismissAll}
            </button>
          </div>
        )}
      </div>
      <ul id="alerts-list" className="alert-list">
        {shown.map((session) => (
          <Alert key={session.id} session={session} onGone={onGone} />
        ))}
      </ul>
    </section>
  );
}
