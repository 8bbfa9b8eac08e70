import { useEffect, useRef, useState, type FormEvent } from 'react';
import { messages } from '../../../shared/messages.js';
import { useLatch } from '../store/index.js';
import { Field } from './Field.js';

/**
 * Signing other devices out needs the password from the last few minutes
 * (so a copied sign-in alone cannot do it). When the server asks for it, this
 * form asks in place and then finishes what the person started (`onConfirmed`;
 * the form goes away when that succeeds). While it works, nothing cancels it
 * halfway.
 */
export function ReauthForm({ action, confirmLabel, onConfirmed, onCancel }: { action: string; confirmLabel: string; onConfirmed: () => Promise<void>; onCancel: () => void }) {
  const reauthenticate = useLatch((s) => s.reauthenticate);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [stage, setStage] = useState<'idle' | 'checking' | 'finishing'>('idle');
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const busy = stage !== 'idle';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!password) return setError(messages.common.enterPassword);
    setError(undefined);
    setStage('checking');
    const failed = await reauthenticate(password);
    if (!mounted.current) return;
    if (failed) {
      setStage('idle');
      return setError(failed.details?.[0]?.message ?? failed.message);
    }
    setStage('finishing');
    await onConfirmed();
    // Still here: what was asked for did not go through; the owner of the form says why.
    if (mounted.current) setStage('idle');
  }
  return (
    <form className="reauth" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && !busy && onCancel()} aria-label={messages.reauth.formLabel(action)} noValidate>
      <Field
        label={messages.common.password}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={error}
        announceError
        hint={messages.reauth.hint(action, 10)}
        autoFocus
      />
      <div className="actions">
        <button type="submit" className="danger" disabled={busy} aria-busy={busy}>
          {stage === 'checking' ? messages.reauth.checking : stage === 'finishing' ? messages.common.signingOut : confirmLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {messages.common.cancel}
        </button>
      </div>
    </form>
  );
}
