import { messages } from '../../../shared/messages.js';

/** A load that failed: the reason, read out, and Try again. */
export function LoadFailed({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <p className="form-error" role="alert">
      {message}{' '}
      <button type="button" className="link" onClick={onRetry}>
        {messages.common.tryAgain}
      </button>
    </p>
  );
}

/** What stands in for a list not loaded yet: why it cannot load while offline, why it failed, or Loading. */
export function NotLoaded({ offline, offlineText, error, onRetry }: { offline: boolean; offlineText: string; error: string | undefined; onRetry: () => void }) {
  if (offline) return <p className="muted">{offlineText}</p>;
  if (error) return <LoadFailed message={error} onRetry={onRetry} />;
  return <p className="muted">{messages.common.loading}</p>;
}
