// Renaming this device, in place in its row.
import { useId, useState, type FormEvent } from 'react';
import type { SessionView } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import { useLatch } from '../../store/index.js';

const t = messages.devices;

export function RenameForm({ session, onDone }: { session: SessionView; onDone: () => void }) {
  const renameDevice = useLatch((s) => s.renameDevice);
  const [name, setName] = useState(session.deviceName);
  const [error, setError] = useState<string | undefined>();
  const errorId = useId();
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError(t.enterName);
    if (name.trim().length > 64) return setError(t.nameTooLong);
    const failed = await renameDevice(name);
    if (failed) setError(failed.details?.[0]?.message ?? failed.message);
    else onDone();
  }
  return (
    <form className="rename" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <label htmlFor="rename-input" className="visually-hidden">
        {t.renameLabel}
      </label>
      <input
        id="rename-input"
        value={name}
        onChange={(e) => setName(e.target.value)}
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
      />
      <button type="submit" className="primary">
        {t.save}
      </button>
      <button type="button" onClick={onDone}>
        {messages.common.cancel}
      </button>
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
