import { useState, type FormEvent } from 'react';
import type { IpcError, SessionState } from '../../../shared/ipc.js';
import { Field, FormError } from '../components/Field.js';
import { ForcedSignOutNotice } from '../components/ForcedSignOutNotice.js';
import { useLatch } from '../store/index.js';

type Mode = 'signIn' | 'createAccount';
type Errors = Partial<Record<'serverUrl' | 'email' | 'password' | 'form', string>>;

/** Where each error code belongs on the form. */
function placeError(error: IpcError): Errors {
  switch (error.code) {
    case 'invalid_server_url':
    case 'insecure_server_url':
    case 'unreachable':
    case 'timeout':
      return { serverUrl: error.message };
    case 'invalid_credentials':
    case 'email_taken':
      return { form: error.message };
    case 'validation_failed': {
      const placed: Errors = {};
      for (const d of error.details ?? []) {
        const key = d.path === 'email' ? 'email' : d.path === 'password' ? 'password' : 'form';
        placed[key] ??= d.message;
      }
      return placed;
    }
    default:
      return { form: error.message };
  }
}

export function SignInScreen({ state }: { state: Extract<SessionState, { status: 'signedOut' | 'signingIn' }> }) {
  const signIn = useLatch((s) => s.signIn);
  const [mode, setMode] = useState<Mode>('signIn');
  const [serverUrl, setServerUrl] = useState(state.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const busy = state.status === 'signingIn';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Errors = {
      ...(serverUrl.trim() ? {} : { serverUrl: 'Enter the server address' }),
      ...(email.trim() ? {} : { email: 'Enter your email' }),
      ...(password ? {} : { password: 'Enter your password' }),
      ...(mode === 'createAccount' && password && password.length < 10 ? { password: 'Use at least 10 characters' } : {}),
    };
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const error = await signIn({ mode, serverUrl, email, password });
    if (error) setErrors(placeError(error));
  }

  const title = mode === 'signIn' ? 'Sign in to Latch' : 'Create your Latch account';
  return (
    <main className="narrow">
      <h1>{title}</h1>
      {state.status === 'signedOut' && state.notice && <ForcedSignOutNotice notice={state.notice} />}
      <form onSubmit={submit} noValidate aria-label={title}>
        <Field label="Server" value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} error={errors.serverUrl} autoComplete="url" spellCheck={false} hint="https://, or http:// on this computer" />
        <Field label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} autoComplete="username" autoFocus />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
          {...(mode === 'createAccount' ? { hint: 'At least 10 characters.' } : {})}
        />
        <FormError message={errors.form} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? (mode === 'signIn' ? 'Signing in…' : 'Creating account…') : mode === 'signIn' ? 'Sign in' : 'Create account'}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => {
              setMode(mode === 'signIn' ? 'createAccount' : 'signIn');
              setErrors({});
            }}
          >
            {mode === 'signIn' ? 'Create an account instead' : 'I have an account'}
          </button>
        </div>
      </form>
      {state.keychain.kind === 'memory-only' && (
        <p className="warning" role="note">
          No keychain is available, so you will need to sign in again next time Latch starts. {state.keychain.problem}
        </p>
      )}
    </main>
  );
}
