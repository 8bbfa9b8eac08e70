// The button under recent activity that loads the next, older page.
import { useState } from 'react';
import { messages } from '../../../../shared/messages.js';
import { useBusy } from '../../components/use-busy.js';
import { useLatch } from '../../store/index.js';

/** One page more of recent activity; busy while it loads, and says so when it cannot. */
export function ShowOlderActivity() {
  const loadMoreActivity = useLatch((s) => s.loadMoreActivity);
  const [busy, whileBusy] = useBusy();
  const [error, setError] = useState<string | undefined>();
  return (
    <div className="actions">
      <button
        type="button"
        disabled={busy}
        aria-busy={busy}
        onClick={async () => {
          const failed = await whileBusy(loadMoreActivity);
          setError(failed?.message);
        }}
      >
        {busy ? messages.common.loading : messages.activity.older}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
