import { useEffect, useRef, useState, type FormEvent } from 'react';
import { NEW_PASSWORD_MIN } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { ChangePasswordInput } from '../../../shared/ipc.js';
import { useLatch } from '../store/index.js';
import { useBusy } from './use-busy.js';
import { fieldErrors, focusFirstInvalid } from '../validate.js';
import { Field, FormError } from './Field.js';

const t = messages.password;

/** Change password; every other device is signed out. */
export function PasswordChange({ onClose }: { onClose: () => void }) {
  const changePassword = useLatch((s) => s.changePassword);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string; form?: string }>({});
  const [busy, whileBusy] = useBusy();
  const [done, setDone] = useState<number | undefined>();
  const form = useRef<HTMLFormElement>(null);
  const [refocus, setRefocus] = useState(0);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const invalid = fieldErrors(ChangePasswordInput, { currentPassword: current, newPassword: next });
    const found = { current: invalid.currentPassword, next: invalid.newPassword };
    setErrors(found);
    if (found.current || found.next) return focusFirstInvalid(form.current);
    const result = await whileBusy(() => changePassword({ currentPassword: current, newPassword: next }));
    if ('revoked' in result) {
      setDone(result.revoked);
      setCurrent('');
      setNext('');
    } else if (result.code === 'invalid_password') setErrors({ current: result.message });
    else if (result.code === 'validation_failed' || result.code === 'invalid_argument') setErrors({ next: result.details?.[0]?.message ?? result.message });
    else setErrors({ form: result.message });
    // The busy button lost the focus: to the field the answer is about, else back to the button to try again.
    if (!('revoked' in result)) setRefocus((n) => n + 1);
  }
  useEffect(() => {
    if (refocus > 0) (form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('button[type="submit"]'))?.focus();
  }, [refocus]);

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">{t.title}</h2>
      {done !== undefined ? (
        <div className="success" role="status">
          {t.done(done)}
          <div className="actions">
            <button type="button" onClick={onClose} autoFocus>
              {t.doneButton}
            </button>
          </div>
        </div>
      ) : (
        <form ref={form} onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onClose()} noValidate>
          <p className="muted">{t.intro}</p>
          <Field label={t.current} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={errors.current} autoFocus />
          <Field label={t.next} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={errors.next} {...(errors.next ? {} : { hint: messages.common.atLeast(NEW_PASSWORD_MIN) })} />
          <FormError message={errors.form} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
              {busy ? t.busy : t.submit}
            </button>
            <button type="button" onClick={onClose}>
              {messages.common.cancel}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
