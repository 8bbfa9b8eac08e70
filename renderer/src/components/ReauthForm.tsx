import { useState, type FormEvent } from 'react';
import { useLatch } from '../store/index.js';
import { Field } from './Field.js';

/**
 * Signing other devices out needs the password from the last few minutes
 * (so a copied sign-in alone cannot do it). When the server asks for it, this
 * form asks in place and then finishes what the person started.
 */
export function ReauthForm({ action, onConfirmed, onCancel }: { action: string; onConfirmed: () => Promise<void>; onCancel: () => void }) {
  const reauthenticate = useLatch((s) => s.reauthenticate);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) return setError('Enter your password');
    setBusy(true);
    const failed = await reauthenticate(password);
    if (failed) {
      setBusy(false);
      return setError(failed.details?.[0]?.message ?? failed.message);
    }
    await onConfirmed();
  }
  return (
    <form className="reauth" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onCancel()} aria-label="Confirm with your password" noValidate>
      <p>To {action}, enter your password. Latch asks for it again after 10 minutes.</p>
      <Field label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error} autoFocus />
      <div className="actions">
        <button type="submit" className="danger" disabled={busy} aria-busy={busy}>
          {busy ? 'Checking…' : 'Confirm'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
