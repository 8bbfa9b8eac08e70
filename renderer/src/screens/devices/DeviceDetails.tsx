// One device in full, opened under its row (docs/architecture.md, "The renderer"): what it is, where,
// since when and how it signed in, when it was last active, and what it did lately, a page at a time.
import { useEffect, useState, type ReactNode } from 'react';
import type { SecurityEvent, SessionView } from '../../../../shared/api.js';
import type { IpcError } from '../../../../shared/ipc.js';
import { messages } from '../../../../shared/messages.js';
import { NotLoaded } from '../../components/NotLoaded.js';
import { unwrap } from '../../bridge.js';
import { dateLocale, momentOf, placeOf, systemOf, tellApart, timeAgo } from '../../format.js';
import { useLatch } from '../../store/index.js';
import { ShowOlderActivity } from './ShowOlderActivity.js';

const t = messages.devices;
const HOUR_MS = 3_600_000;

/** How it signed in; an approval names the device that gave it, told apart from others of its name, or says it is gone. */
function useHow(session: SessionView): string {
  const sessions = useLatch((s) => s.sessions);
  const said = t.signedInWith;
  switch (session.signedInWith) {
    case undefined:
      return said.unknown;
    case 'approval': {
      const approver = session.approvedBy === undefined ? undefined : sessions?.find((s) => s.id === session.approvedBy);
      if (!approver) return said.approval(session.approvedOn, session.approvedBy && sessions ? said.approverGone : undefined);
      const sameName = (sessions ?? []).filter((s) => s.deviceName === approver.deviceName).length > 1;
      return said.approval(approver.deviceName, sameName ? tellApart(approver) : undefined);
    }
    default:
      return said[session.signedInWith];
  }
}

/**
 * What this device did, newest first: loaded when the details open and again when the account's activity
 * changes; older pages on request. A page that arrives after a reload, or twice, adds nothing twice.
 */
function useDeviceActivity(sessionId: string, offline: boolean) {
  const bridge = useLatch((s) => s.bridge);
  const accountActivity = useLatch((s) => s.activity);
  const [page, setPage] = useState<{ events: SecurityEvent[]; next: string | undefined } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (offline) return;
    let current = true;
    void unwrap(bridge.deviceActivity(sessionId)).then(({ value, error: failed }) => {
      if (!current) return;
      if (value) {
        setPage({ events: value.events, next: value.nextBefore });
        setError(undefined);
      } else setError(failed.message);
    });
    return () => void (current = false);
  }, [bridge, sessionId, offline, accountActivity, attempt]);
  const older = async (): Promise<IpcError | undefined> => {
    const before = page?.next;
    if (!before) return undefined;
    const { value, error: failed } = await unwrap(bridge.deviceActivity(sessionId, before));
    if (value) {
      setPage((shown) => {
        if (shown?.next !== before) return shown;
        const seen = new Set(shown.events.map((e) => e.id));
        return { events: [...shown.events, ...value.events.filter((e) => !seen.has(e.id))], next: value.nextBefore };
      });
    }
    return failed;
  };
  return { events: page?.events, next: page?.next, error, retry: () => setAttempt((n) => n + 1), older };
}

const When = ({ iso, now }: { iso: string; now: number }) => (
  <time dateTime={iso} lang={dateLocale}>
    {momentOf(iso, new Date(now))}
  </time>
);

export function DeviceDetails({ id, session, now, offline }: { id: string; session: SessionView; now: number; offline: boolean }) {
  const { events, next, error, retry, older } = useDeviceActivity(session.id, offline);
  const how = useHow(session);
  const a = messages.activity;
  const seenAgo = now - Date.parse(session.lastSeenAt);
  const lastActive: ReactNode = session.current ? (
    offline ? t.thisOffline : t.activeNow
  ) : session.online && !offline ? (
    t.onlineNow
  ) : seenAgo < HOUR_MS ? (
    timeAgo(session.lastSeenAt, now)
  ) : (
    <>
      {timeAgo(session.lastSeenAt, now)} (<When iso={session.lastSeenAt} now={now} />)
    </>
  );
  const facts: Array<[string, ReactNode]> = [
    [t.detailSystem, systemOf(session)],
    [t.detailApp, session.browser ? t.browserSession : t.appVersion(session.appVersion)],
    [t.detailPlace, placeOf(session.location) ?? t.unknownPlace],
    [t.detailAddress, session.ip],
    [t.detailSignedIn, <When key="at" iso={session.createdAt} now={now} />],
    [t.detailHow, how],
    [t.detailLastActive, lastActive],
  ];
  return (
    <div className="session-details" id={id} role="group" aria-label={t.detailsNamed(session.deviceName)} aria-busy={events === undefined && !offline && !error}>
      <dl>
        {facts.map(([term, value]) => (
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
        <>
          <ul className="device-activity">
            {events.map((event) => (
              <li key={event.id}>
                <span className="muted when">
                  <When iso={event.at} now={now} />
                </span>
                <span>{a.describe(event)}</span>
                <span className="muted">{[placeOf(event.location), event.ip].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
          {next && <ShowOlderActivity load={older} />}
        </>
      )}
    </div>
  );
}
