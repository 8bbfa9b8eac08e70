// One device in full, opened under its row (docs/architecture.md, "The renderer"): what it is, where,
// since when and how it signed in, when it was last active, and what it did lately.
import { useEffect, useState, type ReactNode } from 'react';
import type { SecurityEvent, SessionView } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import { NotLoaded } from '../../components/NotLoaded.js';
import { unwrap } from '../../bridge.js';
import { dateLocale, placeOf, systemOf, timeAgo, timeOf } from '../../format.js';
import { useLatch } from '../../store/index.js';

const t = messages.devices;

function how(session: SessionView): string {
  const said = t.signedInWith;
  switch (session.signedInWith) {
    case undefined:
      return said.unknown;
    case 'approval':
      return said.approval(session.approvedOn);
    default:
      return said[session.signedInWith];
  }
}

/** What this device did, newest first; loaded when the details open, again when the account's activity changes. */
function useDeviceActivity(sessionId: string, offline: boolean) {
  const bridge = useLatch((s) => s.bridge);
  const accountActivity = useLatch((s) => s.activity);
  const [events, setEvents] = useState<SecurityEvent[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (offline) return;
    let current = true;
    void unwrap(bridge.deviceActivity(sessionId)).then(({ value, error: failed }) => {
      if (!current) return;
      if (value) {
        setEvents(value.events);
        setError(undefined);
      } else setError(failed.message);
    });
    return () => void (current = false);
  }, [bridge, sessionId, offline, accountActivity, attempt]);
  return { events, error, retry: () => setAttempt((n) => n + 1) };
}

export function DeviceDetails({ id, session, now, offline }: { id: string; session: SessionView; now: number; offline: boolean }) {
  const { events, error, retry } = useDeviceActivity(session.id, offline);
  const place = placeOf(session.location);
  const a = messages.activity;
  const rows: Array<[string, ReactNode]> = [
    [t.detailSystem, systemOf(session)],
    [t.detailApp, session.browser ? t.browserSession : t.appVersion(session.appVersion)],
    [t.detailPlace, place ?? t.unknownPlace],
    [t.detailAddress, session.ip],
    [
      t.detailSignedIn,
      <time key="at" dateTime={session.createdAt} lang={dateLocale}>
        {timeOf(session.createdAt, new Date(now))}
      </time>,
    ],
    [t.detailHow, how(session)],
    [
      t.detailLastActive,
      session.current ? (offline ? t.thisOffline : t.activeNow) : session.online && !offline ? t.onlineNow : `${timeAgo(session.lastSeenAt, now)} (${timeOf(session.lastSeenAt, new Date(now))})`,
    ],
  ];
  return (
    <div className="session-details" id={id}>
      <dl>
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>{t.deviceActivity(session.deviceName)}</h3>
      {events === undefined ? (
        <NotLoaded offline={offline} offlineText={t.deviceActivityOffline} error={error && a.failed(error)} onRetry={retry} />
      ) : events.length === 0 ? (
        <p className="muted">{t.deviceActivityNone}</p>
      ) : (
          <ul className="device-activity">
            {events.map((event) => (
              <li key={event.id}>
                <span>{a.describe(event)}</span>{' '}
                <span className="muted">
                  <time dateTime={event.at} lang={dateLocale}>
                    {timeOf(event.at, new Date(now))}
                  </time>
                  {[placeOf(event.location), event.ip].filter(Boolean).map((part) => ` · ${part}`)}
                </span>
              </li>
            ))}
          </ul>
      )}
    </div>
  );
}
