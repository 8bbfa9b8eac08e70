// The list of active devices, with a filter and a sort past a few.
import { useState } from 'react';
import type { SessionView } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import { placeOf, systemOf } from '../../format.js';
import { SessionRow } from './SessionRow.js';
import { SignOutOthers } from './SignOutOthers.js';

const t = messages.devices;

/** More devices than this, and a filter box appears. */
const FILTER_FROM = 8;

type SortKey = 'lastActive' | 'name' | 'signedIn';
const SORTS: Record<SortKey, (a: SessionView, b: SessionView) => number> = {
  // Online devices are active now; then the most recently seen.
  lastActive: (a, b) => Number(b.online) - Number(a.online) || b.lastSeenAt.localeCompare(a.lastSeenAt),
  name: (a, b) => a.deviceName.localeCompare(b.deviceName, messages.lang, { sensitivity: 'base' }) || b.lastSeenAt.localeCompare(a.lastSeenAt),
  signedIn: (a, b) => b.createdAt.localeCompare(a.createdAt),
};

/** A word of the filter that could be part of an IP address: digits (or hex) with a dot or a colon. */
const ADDRESS_LIKE = /^(?=.*[.:])[0-9a-f.:]+$/i;

/**
 * Every word of the filter is in the device's name, system or place; a word that looks like part of an
 * address may also match its address. Digits alone never match inside an address: "pixel 7" must not
 * find a Pixel 8 whose address holds a 7, with its Sign out button one key away.
 */
function matches(session: SessionView, filter: string): boolean {
  const described = [session.deviceName, systemOf(session), placeOf(session.location)].join(' ').toLocaleLowerCase();
  const address = session.ip.toLocaleLowerCase();
  return filter
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => described.includes(word) || (ADDRESS_LIKE.test(word) && address.includes(word)));
}

/** The list of active devices: this one first, then the others as sorted, narrowed by the filter. */
export function SessionList({ sessions, now, offline }: { sessions: SessionView[]; now: number; offline: boolean }) {
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
