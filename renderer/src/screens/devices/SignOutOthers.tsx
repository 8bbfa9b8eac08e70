// "Sign out all other devices", with its confirm step.
import { useState } from 'react';
import { messages } from '../../../../shared/messages.js';
import { focusHeading } from '../../components/focus.js';
import { ReauthForm } from '../../components/ReauthForm.js';
import { useBusy } from '../../components/use-busy.js';
import { useReturnFocus } from '../../components/use-return-focus.js';
import { useLatch } from '../../store/index.js';
import { OfflineButton } from './OfflineButton.js';

const t = messages.devices;

export function SignOutOthers({ count, offline }: { count: number; offline: boolean }) {
  const revokeOtherSessions = useLatch((s) => s.revokeOtherSessions);
  const [confirming, setConfirming] = useState(false);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [busy, whileBusy] = useBusy();
  const [error, setError] = useState<string | undefined>();
  const { opener, returnFocus } = useReturnFocus(confirming);
  const signOutOthers = async () => {
    setError(undefined);
    const failed = await whileBusy(revokeOtherSessions);
    setNeedsPassword(failed?.code === 'reauth_required');
    if (!failed) {
      setConfirming(false);
      // The button and the rows are gone; the heading takes the focus and the live region says how many.
      requestAnimationFrame(focusHeading);
    } else if (failed.code !== 'reauth_required') setError(failed.message);
  };
  const cancel = () => {
    returnFocus();
    setNeedsPassword(false);
    setConfirming(false);
  };
  if (!confirming) {
    return (
      <OfflineButton className="danger" ref={opener} offline={offline} onClick={() => setConfirming(true)}>
        {t.signOutOthers}
      </OfflineButton>
    );
  }
  return (
    // The safe answer has the focus, so Enter twice cannot sign every other device out; Escape cancels.
    <div className="confirm" role="group" aria-label={t.confirmGroup} onKeyDown={(e) => e.key === 'Escape' && !busy && !needsPassword && cancel()}>
      {!needsPassword && <span>{t.confirmText(count)}</span>}
      {needsPassword ? (
        <ReauthForm action={t.reauthOthers(count)} confirmLabel={t.reauthOthersButton(count)} onConfirmed={signOutOthers} onCancel={cancel} />
      ) : (
        <>
          <button type="button" className="danger" disabled={busy} onClick={() => void signOutOthers()}>
            {busy ? messages.common.signingOut : t.confirmYes(count)}
          </button>
          <button type="button" autoFocus onClick={cancel}>
            {messages.common.cancel}
          </button>
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
