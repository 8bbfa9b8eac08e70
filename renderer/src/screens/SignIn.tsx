import { useRef, useState, type FormEvent } from 'react';
import { CreateAccountInput, SignInInput, type IpcError, type SessionState } from '../../../shared/ipc.js';
import { NEW_PASSWORD_MIN } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { Field, FormError } from '../components/Field.js';
import { DismissibleNotice, ForcedSignOutNotice } from '../components/ForcedSignOutNotice.js';
import { useLatch } from '../store/index.js';
import { fieldErrors, focusFirstInvalid } from '../validate.js';

type Mode = 'signIn' | 'createAccount';
const t = messages.signIn;
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

/**
 * Signing in, or creating an account. On the account page (`page`) the server is the page's own and
 * accounts are made in the app, so it asks for the email and password only.
 */
export function SignInScreen({ state, page = false }: { state: Extract<SessionState, { status: 'signedOut' | 'signingIn' }>; page?: boolean }) {
  const signIn = useLatch((s) => s.signIn);
  const [mode, setMode] = useState<Mode>('signIn');
  const [serverUrl, setServerUrl] = useState(state.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const emailField = useRef<HTMLInputElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const busy = state.status === 'signingIn';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Errors = fieldErrors(mode === 'createAccount' ? CreateAccountInput : SignInInput, { mode, serverUrl, email, password });
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(form.current);
    const error = await signIn({ mode, serverUrl, email, password });
    if (!error) return;
    const placed = placeError(error);
    // The account page has no Server field: what would be said there is said for the form.
    if (page && placed.serverUrl) setErrors({ form: placed.serverUrl });
    else setErrors(placed);
  }

  const title = page ? messages.page.signInTitle : mode === 'signIn' ? t.titleSignIn : t.titleCreate;
  const notice = state.status === 'signedOut' ? state.notice : undefined;
  const refused = state.status === 'signedOut' ? state.refused : undefined;
  return (
    <main className="narrow">
      <h1 tabIndex={-1}>{title}</h1>
      {notice && <ForcedSignOutNotice notice={notice} onDismissed={() => emailField.current?.focus()} />}
      {refused && (
        <DismissibleNotice
          title={messages.approval.refusedTitle[refused.outcome]}
          text={messages.approval.refusedText[refused.outcome](refused.byDeviceName)}
          onDismissed={() => emailField.current?.focus()}
        />
      )}
      {page && <p>{messages.page.signInIntro}</p>}
      <form ref={form} onSubmit={submit} noValidate aria-label={title}>
        {!page && (
          <Field label={t.server} value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} error={errors.serverUrl} autoComplete="url" spellCheck={false} hint={t.serverHint} />
        )}
        {/* With a notice on screen the notice has the focus first, so it is heard whole. */}
        <Field label={t.email} type="email" ref={emailField} value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} autoComplete="username" autoFocus={!notice && !refused} />
        <Field
          label={messages.common.password}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
          {...(mode === 'createAccount' && !errors.password ? { hint: messages.common.atLeast(NEW_PASSWORD_MIN) } : {})}
        />
        <FormError message={errors.form} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? (mode === 'signIn' ? t.signingIn : t.creating) : mode === 'signIn' ? t.signIn : t.create}
          </button>
          {!page && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setMode(mode === 'signIn' ? 'createAccount' : 'signIn');
                setErrors({});
              }}
            >
              {mode === 'signIn' ? t.switchToCreate : t.switchToSignIn}
            </button>
          )}
        </div>
      </form>
      {state.keychain.kind === 'memory-only' && (
        <p className="warning" role="note">
          {t.noKeychain} {state.keychain.problem}
        </p>
      )}
    </main>
  );
}
