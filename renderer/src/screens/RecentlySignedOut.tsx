import { useState } from 'react';
import { messages } from '../../../shared/messages.js';
import { NotLoaded } from '../components/NotLoaded.js';
import { PlatformIcon } from '../components/PlatformIcon.js';
import { timeOf, dateLocale, placeOf, systemOf, timeAgo } from '../format.js';
import { useLatch } from '../store/index.js';

const t = messages.devices;

/**
 * Devices signed out in the last 30 days, collapsed until opened (it loads
 * then): each with who signed it out and why.
 */
export function RecentlySignedOut({ now, offline }: { now: number; offline: boolean }) {
  const signedOut = useLatch((s) => s.signedOut);
  const error = useLatch((s) => s.signedOutError);
  const load = useLatch((s) => s.loadSignedOut);
  const [open, setOpen] = useState(false);
  return (
    <section aria-labelledby="recent-title" className="recent">
      <details
        onToggle={(e) => {
          const isOpen = e.currentTarget.open;
          setOpen(isOpen);
          if (isOpen && !offline) void load();
        }}
      >
        {/* Plain text in the summary, so it is announced as the button it is, with its state. */}
        <summary id="recent-title">{t.recentSummary(open ? signedOut?.length : undefined)}</summary>
        {signedOut === undefined ? (
          <NotLoaded offline={offline} offlineText={t.recentOffline} error={error} onRetry={() => void load()} />
        ) : signedOut.length === 0 ? (
          <p className="muted">{t.recentNone}</p>
        ) : (
          <ul className="sessions ended">
            {signedOut.map((s) => (
              <li className="session" key={s.id} aria-label={s.deviceName}>
                <PlatformIcon platform={s.platform} decorative />
                <div className="session-main">
                  <div className="session-title">
                    <span className="device-name">{s.deviceName}</span>
                  </div>
                  <p className="ended-why">
                    {t.recentEnded(s.reason, s.by?.deviceName)}, {t.recentWhen(timeAgo(s.signedOutAt, now))} (
                    <time dateTime={s.signedOutAt} lang={dateLocale}>
                      {timeOf(s.signedOutAt)}
                    </time>
                    )
                  </p>
                  <ul className="session-meta">
                    <li>{systemOf(s)}</li>
                    {placeOf(s.location) && <li>{placeOf(s.location)}</li>}
                    {s.ip && <li>{s.ip}</li>}
                  </ul>
                </div>
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  );
}
