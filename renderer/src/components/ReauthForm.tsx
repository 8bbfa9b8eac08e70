import { useEffect, useRef, useState } from 'react';
import { messages } from '../../../shared/messages.js';
import { passkeysHere } from '../passkeys.js';
import { useLatch } from '../store/index.js';
import { PasswordForm } from './PasswordForm.js';
import { useBusy } from './use-busy.js';

/**
 * Signing other devices out, or adding and removing a passkey, needs the password from the last few minutes
 * (so a copied sign-in alone cannot do it). When the server asks for it, this form asks in place and then
 * finishes what the person started (`onConfirmed`; the form goes away when that succeeds; if it stays, its
 * owner says why). One of the account's passkeys does instead, where this window can use passkeys and the
 * account has one (the list is loaded where passkeys are shown).
 */
export function ReauthForm({
  action,
  confirmLabel,
  finishingLabel = messages.common.signingOut,
  tone = 'danger',
  hint,
  onConfirmed,
  onCancel,
}: {
  action: string;
  confirmLabel: string;
  /** The button's words while `onConfirmed` runs. */
  finishingLabel?: string;
  tone?: 'primary' | 'danger';
  /** Why the password is asked, where "you last entered it a while ago" is not the reason. */
  hint?: string;
  onConfirmed: () => Promise<void>;
  onCancel: () => void;
}) {
  const reauthenticate = useLatch((s) => s.reauthenticate);
  const withPasskey = useLatch((s) => s.reauthenticateWithPasskey);
  const hasPasskey = useLatch((s) => s.passkeys?.some((p) => !p.clonedAt) ?? false);
  const [stage, setStage] = useState<'checking' | 'finishing'>('checking');
  const [passkeyError, setPasskeyError] = useState<string | undefined>();
  const [busy, whileBusy] = useBusy();
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  /** Cancelled (or gone) while the passkey's prompt was open: what it would have finished is not done. */
  const cancelled = useRef(false);
  const passkeyButton = useRef<HTMLButtonElement>(null);
  const cancel = () => {
    cancelled.current = true;
    onCancel();
  };

  async function submit(password: string): Promise<string | undefined> {
    setPasskeyError(undefined);
    setStage('checking');
    const failed = await reauthenticate(password);
    if (failed) return failed.details?.[0]?.message ?? failed.message;
    setStage('finishing');
    await onConfirmed();
    return undefined;
  }
  async function usePasskeyInstead() {
    if (busy) return;
    setPasskeyError(undefined);
    cancelled.current = false;
    await whileBusy(async () => {
      const failed = await withPasskey();
      if (cancelled.current || !mounted.current) return;
      if (failed) {
        setPasskeyError(failed.message);
        passkeyButton.current?.focus();
        return;
      }
      setStage('finishing');
      await onConfirmed();
    });
  }
  return (
    <>
      <PasswordForm
        formLabel={messages.reauth.formLabel(action)}
        hint={hint ?? messages.reauth.hint(action, 10)}
        submitLabel={confirmLabel}
        busyLabel={stage === 'checking' ? messages.reauth.checking : finishingLabel}
        tone={tone}
        onSubmit={submit}
        onCancel={cancel}
      />
      {hasPasskey && passkeysHere() === 'available' && (
        <div className="reauth-passkey" onKeyDown={(e) => e.key === 'Escape' && cancel()}>
          {/* Focusable while it waits (a press then does nothing): the focus stays here, and comes back after a failure. */}
          <button type="button" className="link" ref={passkeyButton} aria-disabled={busy} aria-busy={busy} onClick={() => void usePasskeyInstead()}>
            {busy ? messages.passkeys.reauthing : messages.passkeys.reauth}
          </button>
          {passkeyError && mounted.current && (
            <p className="field-error" role="alert">
              {passkeyError}
            </p>
          )}
        </div>
      )}
    </>
  );
}
