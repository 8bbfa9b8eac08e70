import { useEffect, useRef, useState, type FormEvent } from 'react';
import { messages } from '../../../shared/messages.js';
import { Field } from './Field.js';
import { useBusy } from './use-busy.js';

/**
 * The password asked for in place before something that needs it (signing other devices out, sign-in
 * approval on or off, new recovery codes). `onSubmit` runs with the password and answers what went wrong,
 * or nothing when it went through (the owner then usually removes the form). Escape or Cancel goes back;
 * while it works, nothing cancels it halfway.
 */
export function PasswordForm({
  formLabel,
  hint,
  submitLabel,
  busyLabel,
  tone = 'primary',
  onSubmit,
  onCancel,
}: {
  formLabel: string;
  hint: string;
  submitLabel: string;
  /** The button's words while `onSubmit` runs. */
  busyLabel?: string | undefined;
  tone?: 'primary' | 'danger';
  onSubmit: (password: string) => Promise<string | undefined>;
  onCancel: () => void;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, whileBusy] = useBusy();
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!password) return setError(messages.common.enterPassword);
    setError(undefined);
    const failed = await whileBusy(() => onSubmit(password));
    // Gone once it went through: its owner took it away.
    if (mounted.current) setError(failed);
  }
  return (
    <form className="reauth" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && !busy && onCancel()} aria-label={formLabel} noValidate>
      <Field
        label={messages.common.password}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={error}
        announceError
        hint={hint}
        autoFocus
      />
      <div className="actions">
        <button type="submit" className={tone} disabled={busy} aria-busy={busy}>
          {busy && busyLabel ? busyLabel : submitLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {messages.common.cancel}
        </button>
      </div>
    </form>
  );
}
