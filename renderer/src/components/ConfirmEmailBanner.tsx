// Until the account's address is confirmed: the code from the sign-up's mail (or a new one), in one field.
// Security alerts and password resets go to that address (docs/architecture.md, "Mail").
import { useRef, useState, type FormEvent } from 'react';
import type { SessionState } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { unwrap } from '../bridge.js';
import { useLatch } from '../store/index.js';
import { CodeField } from './CodeField.js';

const t = messages.verifyEmail;

export function ConfirmEmailBanner({ state }: { state: SessionState }) {
  const announce = useLatch((s) => s.announce);
  const setSession = useLatch((s) => s.setSession);
  const bridge = useLatch((s) => s.bridge);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  if (state.status !== 'signedIn' || state.user.emailVerified) return null;
  const email = state.user.email;

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!code.trim()) {
      setError(messages.signIn.codeHint);
      return field.current?.focus();
    }
    setBusy(true);
    const { value, error: failed } = await unwrap(bridge.confirmEmail(code));
    setBusy(false);
    if (failed) {
      setError(failed.message);
      return field.current?.focus();
    }
    announce(t.confirmed);
    setSession(value);
  }

  async function resend() {
    setBusy(true);
    const { error: failed } = await unwrap(bridge.sendEmailCode());
    setBusy(false);
    setError(failed?.message);
    if (!failed) {
      setCode('');
      setNote(t.resent(email));
      field.current?.focus();
    }
  }

  return (
    <section className="banner confirm-email" aria-labelledby="confirm-email-title">
      <h2 id="confirm-email-title">{t.title}</h2>
      <p>{note ?? t.text(email)}</p>
      <form onSubmit={confirm} noValidate aria-label={t.title}>
        <CodeField ref={field} label={t.code} value={code} onChange={setCode} error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? t.confirming : t.confirm}
          </button>
          <button type="button" className="link" disabled={busy} onClick={() => void resend()}>
            {t.resend}
          </button>
        </div>
      </form>
    </section>
  );
}
