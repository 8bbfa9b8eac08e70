// One of the account's settings in the devices window: its title, what it asks, and where it stands
// (loading, offline, what went wrong, or the setting in words), with the card's own controls below.
import type { ReactNode } from 'react';
import { messages } from '../../../../shared/messages.js';

export function SettingCard({
  id,
  title,
  label,
  status,
  error,
  offline,
  children,
}: {
  id: string;
  title: string;
  label: string;
  /** The setting in words, once loaded. */
  status: string | undefined;
  error: string | undefined;
  offline: boolean;
  children: ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p>
        <strong>{label}</strong>
      </p>
      {status === undefined ? (
        // Offline it cannot load: said so, rather than "Loading…" for ever; it loads when the connection is back.
        <p className="muted" aria-busy={!error && !offline}>
          {error ?? (offline ? messages.common.settingOffline : messages.common.loading)}
        </p>
      ) : (
        <p className="muted">{status}</p>
      )}
      {children}
    </section>
  );
}
