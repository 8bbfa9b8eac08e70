// Recent activity on the account, a page at a time.
import { messages } from '../../../../shared/messages.js';
import { NotLoaded } from '../../components/NotLoaded.js';
import { timeOf, dateLocale, placeOf } from '../../format.js';
import { useLatch } from '../../store/index.js';
import { ShowOlderActivity } from './ShowOlderActivity.js';

export function RecentActivity({ offline }: { offline: boolean }) {
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
                  <time dateTime={event.at} lang={dateLocale}>
                    {timeOf(event.at)}
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
