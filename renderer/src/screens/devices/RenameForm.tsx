// Renaming in place in a row: this device in the devices list, a passkey in the passkeys card. The name is
// checked here (not empty, at most 64 characters) before `save`, which answers what went wrong or nothing
// once saved; Escape or Cancel goes back (`onDone`), never halfway through a save.
import { useId, useState, type FormEvent } from 'react';
import { messages } from '../../../../shared/messages.js';
import { useBusy } from '../../components/use-busy.js';

export function RenameForm({
  label,
  formLabel,
  initial,
  tooLong,
  save,
  onDone,
}: {
  /** The field's (visually hidden) label. */
  label: string;
  /** A name for the form itself, where the row holds other forms too. */
  formLabel?: string;
  initial: string;
  /** What a name over 64 characters is told. */
  tooLong: string;
  save: (name: string) => Promise<string | undefined>;
  onDone: () => void;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const [busy, whileBusy] = useBusy();
  const id = useId();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!name.trim()) return setError(messages.devices.enterName);
    if (name.trim().length > 64) return setError(tooLong);
    const failed = await whileBusy(() => save(name));
    if (failed) setError(failed);
    else onDone();
  }
  return (
    <form className="rename" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && !busy && onDone()} {...(formLabel ? { 'aria-label': formLabel } : {})}>
      <label htmlFor={`${id}-name`} className="visually-hidden">
        {label}
      </label>
      <input
        id={`${id}-name`}
        value={name}
        onChange={(e) => setName(e.target.value)}
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
        {messages.devices.save}
      </button>
      <button type="button" onClick={onDone} disabled={busy}>
        {messages.common.cancel}
      </button>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
