import { useLatch } from '../store/index.js';

/**
 * The one polite live region: results of actions and changes made elsewhere
 * are read out without moving the focus. It is on the page from the start, so
 * a screen reader hears every change to it.
 */
export function LiveRegion() {
  const announcement = useLatch((s) => s.announcement);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {/* A repeat of the same words is a new node, so it is read again. */}
      <span key={announcement.n}>{announcement.text}</span>
    </div>
  );
}
