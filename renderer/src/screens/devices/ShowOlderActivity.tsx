// The button under recent activity (the account's, or one device's) that loads the next, older page.
import { useState } from 'react';
import type { IpcError } from '../../../../shared/ipc.js';
import { messages } from '../../../../shared/messages.js';
import { useBusy } from '../../components/use-busy.js';
import { useLatch } from '../../store/index.js';

/** One page more of recent activity (`load`: of one device; the account's by default); busy while it loads, and says so when it cannot. */
export function ShowOlderActivity({ load }: { load?: () => Promise<IpcError | undefined> }) {
  const loadAccountPage = useLatch((s) => s.loadMoreActivity);
  const loadMoreActivity = load ?? loadAccountPage;
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
