// The new device while its sign-in waits for another device's approval: the number to pick there, how
// long is left, and a recovery code as the way out when no device can answer.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { RecoveryCode } from '../../../shared/api.js';
import type { SessionState } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { Field } from '../components/Field.js';
import { useBusy } from '../components/use-busy.js';
import { useLatch } from '../store/index.js';
import { issueSaid } from '../validate.js';

const t = messages.approval;

/** "1:52": minutes and seconds until `iso`, updated every second. */
function useCountdown(iso: string): string {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}

export function AwaitingApprovalScreen({ state }: { state: Extract<SessionState, { status: 'awaitingApproval' }> }) {
  const cancel = useLatch((s) => s.cancelSignIn);
  const resend = useLatch((s) => s.resendSignIn);
  const [resent, setResent] = useState<{ text: string; error: boolean } | undefined>();
  const [resending, whileResending] = useBusy();
  const askAgain = async () => {
    const error = await whileResending(resend);
    setResent(error ? { text: error.message, error: true } : { text: t.resent, error: false });
  };
  const useRecoveryCode = useLatch((s) => s.useRecoveryCode);
  const [codeOpen, setCodeOpen] = useState(false);
  const [focusCode, setFocusCode] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, whileBusy] = useBusy();
  const heading = useRef<HTMLHeadingElement>(null);
  const codeField = useRef<HTMLInputElement>(null);
  const countdown = useCountdown(state.expiresAt);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (focusCode) codeField.current?.focus();
  }, [focusCode]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = RecoveryCode.safeParse(code);
    if (!parsed.success) {
      setError(issueSaid(parsed.error.issues[0]!));
      return codeField.current?.focus();
    }
    setError(undefined);
    const result = await whileBusy(() => useRecoveryCode(parsed.data));
    if ('code' in result) {
      setError(result.message);
      codeField.current?.focus();
    }
  }

  return (
    <main className="narrow">
      <h1 tabIndex={-1} ref={heading}>
        {state.reset ? t.waitTitleReset : t.waitTitle}
      </h1>
      <section className="card approval-wait" aria-labelledby="approval-pick">
        <p id="approval-pick" className="pick">
          {t.pick}
        </p>
        <p className="big-number" aria-label={t.numberLabel(state.number)}>
          {state.number}
        </p>
        {state.wrongPickBy !== undefined && (
          <p className="warning" role="alert">
            {t.wrongPickHere(state.wrongPickBy)}
          </p>
        )}
        <p className="muted">{state.reset ? t.waitingForReset(state.email) : state.email ? t.waitingFor(state.email) : t.waitingForPasskey}</p>
        <p className="muted" aria-live="off">
          {t.expiresIn(countdown)}
        </p>
        <p className="muted">{t.noDeviceAtHand}</p>
        {/* A device answered, so the password was right: the hint and its button would only mislead. */}
        {/* After a passkey no password was typed (no address either): nothing to say about one. */}
        {!state.reset && state.email !== '' && state.wrongPickBy === undefined && <p className="hint-strong">{t.wrongPasswordHint}</p>}
        <div className="actions">
          {/* Not disabled while it asks: the focus stays on it. */}
          <button type="button" aria-busy={resending} onClick={() => void (resending || askAgain())}>
            {t.resend}
          </button>
          {!codeOpen && (
            <button
              type="button"
              onClick={() => {
                setCodeOpen(true);
                setFocusCode(true);
              }}
              aria-expanded={false}
            >
              {t.useCode}
            </button>
          )}
          {/* Back to the form with the address kept and the password field focused (SignIn.tsx). */}
          {!state.reset && state.email !== '' && state.wrongPickBy === undefined && (
            <button type="button" onClick={() => void cancel()}>
              {t.retypePassword}
            </button>
          )}
          <button type="button" onClick={() => void cancel()}>
            {state.reset ? t.cancelReset : t.cancel}
          </button>
        </div>
        <p role="status" className={resent?.error ? 'form-error' : 'muted'}>
          {resent?.text ?? ''}
        </p>
      </section>
      {codeOpen && (
        <form className="card" onSubmit={submit} noValidate aria-label={t.codeFormLabel}>
          <Field
            ref={codeField}
            label={t.codeLabel}
            hint={t.codeHint}
            error={error}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={24}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
              {busy ? t.usingCode : t.useCodeSubmit}
            </button>
          </div>
        </form>
      )}
    </main>
  );
}
