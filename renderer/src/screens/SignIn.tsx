import { useEffect, useRef, useState, type FormEvent } from 'react';
import { CreateAccountInput, ResetPasswordInput, ResetRequestInput, SignInInput, type IpcError, type SessionState } from '../../../shared/ipc.js';
import { NEW_PASSWORD_MIN } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { unwrap } from '../bridge.js';
import { CodeField } from '../components/CodeField.js';
import { PasskeySignIn } from '../components/PasskeySignIn.js';
import { Field, FormError } from '../components/Field.js';
import { DismissibleNotice, ForcedSignOutNotice } from '../components/ForcedSignOutNotice.js';
import { useLatch } from '../store/index.js';
import { fieldErrors, focusFirstInvalid } from '../validate.js';

type Mode = 'signIn' | 'createAccount' | 'forgot' | 'reset';
const t = messages.signIn;
type Errors = Partial<Record<'serverUrl' | 'email' | 'password' | 'code' | 'form', string>>;

/** Where each error code belongs on the form. */
function placeError(error: IpcError): Errors {
  switch (error.code) {
    case 'invalid_server_url':
    case 'insecure_server_url':
    case 'unreachable':
    case 'timeout':
      return { serverUrl: error.message };
    case 'invalid_credentials':
    case 'code_expired':
    case 'conflict':
      return { form: error.message };
    case 'invalid_code':
      return { code: error.message };
    case 'validation_failed':
    case 'invalid_argument': {
      const placed: Errors = {};
      for (const d of error.details ?? []) {
        const key = (['email', 'password', 'code'] as const).find((k) => d.path === k || d.path === `0.${k}`) ?? 'form';
        placed[key] ??= d.message;
      }
      if (!error.details?.length) placed.form = error.message;
      return placed;
    }
    default:
      return { form: error.message };
  }
}

/**
 * A link from the mail the server's operator had sent, `#reset=<id>&email=<address>`: the account page opens at
 * the reset code's form (the fragment never reaches a server).
 */
function resetLink(): { id: string; email: string } | undefined {
  const params = new URLSearchParams(location.hash.slice(1));
  const id = params.get('reset');
  const email = params.get('email');
  return id && email ? { id, email } : undefined;
}

/**
 * Signing in, or creating an account. On the account page (`page`) the server is the page's own and
 * accounts are made in the app, so it asks for the email and password only.
 */
export function SignInScreen({ state, page = false }: { state: Extract<SessionState, { status: 'signedOut' | 'signingIn' | 'awaitingCode' }>; page?: boolean }) {
  const signIn = useLatch((s) => s.signIn);
  const bridge = useLatch((s) => s.bridge);
  const [link] = useState(() => (page ? resetLink() : undefined));
  const [mode, setMode] = useState<Mode>(link ? 'reset' : 'signIn');
  const [code, setCode] = useState('');
  // A step-up's mailed code, then the authenticator's: the field starts empty for each.
  const purpose = state.status === 'awaitingCode' ? state.purpose : undefined;
  useEffect(() => setCode(''), [purpose]);
  const [resetId, setResetId] = useState<string | undefined>(link?.id);
  const [sending, setSending] = useState(false);
  const [serverUrl, setServerUrl] = useState(state.serverUrl);
  // A sign-in refused, cancelled or failed keeps its address, to try again at once.
  const lastEmail = useLatch((s) => s.lastEmail);
  const [email, setEmail] = useState(link?.email ?? lastEmail);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const emailField = useRef<HTMLInputElement>(null);
  const codeField = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const busy = state.status === 'signingIn' || sending;

  // Where the focus goes once the screen has changed: a new step's heading (heard from its start), the
  // code field of the reset step, or the first field marked invalid.
  const [focus, setFocus] = useState<{ to: 'heading' | 'code' | 'invalid'; n: number }>();
  const moveFocus = (to: 'heading' | 'code' | 'invalid') => setFocus((f) => ({ to, n: (f?.n ?? 0) + 1 }));
  useEffect(() => {
    // Opened in a page already showing the account page, the link changes only the fragment: no new load.
    const follow = () => {
      const followed = resetLink();
      if (!followed) return;
      // Used once: a reload or a bookmark starts from the sign-in again.
      history.replaceState(null, '', location.pathname + location.search);
      setMode('reset');
      setResetId(followed.id);
      setEmail(followed.email);
      setCode('');
      setErrors({});
      moveFocus('code');
    };
    if (link) follow();
    if (!page) return;
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, [link, page]);
  useEffect(() => {
    if (!focus) return;
    if (focus.to === 'heading') heading.current?.focus();
    else if (focus.to === 'code') codeField.current?.focus();
    // A field the server's answer marked, else (an answer for the whole form) the password, to type again.
    else (form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('input[type="password"]'))?.focus();
  }, [focus]);

  /** To another step: its heading takes the focus, so the new step is heard from its start. */
  function go(next: Mode) {
    setMode(next);
    setErrors({});
    setCode('');
    moveFocus('heading');
  }

  async function sendResetCode(event?: FormEvent) {
    event?.preventDefault();
    // The account page has no Server field: only the email is checked there.
    const found: Errors = page ? fieldErrors(ResetRequestInput.pick({ email: true }), { email }) : fieldErrors(ResetRequestInput, { serverUrl, email });
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(form.current);
    setSending(true);
    const { value, error } = await unwrap(bridge.requestPasswordReset({ serverUrl: page ? state.serverUrl : serverUrl, email }));
    setSending(false);
    if (error) return setErrors(placeError(error));
    setResetId(value.id);
    setMode('reset');
    setErrors({});
    moveFocus('code');
  }

  async function submitReset(event: FormEvent) {
    event.preventDefault();
    const input = { email, id: resetId ?? '', code, password };
    const found: Errors = fieldErrors(ResetPasswordInput, input);
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(form.current);
    setSending(true);
    const { error } = await unwrap(bridge.resetPassword(input));
    setSending(false);
    if (!error) return;
    setErrors(placeError(error));
    moveFocus('invalid');
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    const found: Errors = {};
    if (!code.trim()) found.code = t.codeHint;
    if (state.status === 'awaitingCode' && state.purpose === 'stepUp' && !password) found.password = messages.common.enterPassword;
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(form.current);
    setSending(true);
    const byApp = state.status === 'awaitingCode' && state.purpose === 'authenticator';
    const { error } = await unwrap(byApp ? bridge.signInWithAuthenticatorCode(code) : bridge.signInWithCode(code, password));
    setSending(false);
    if (error) {
      setErrors(placeError(error));
      moveFocus('invalid');
    }
  }

  if (state.status === 'awaitingCode') {
    const signUp = state.purpose === 'signUp';
    const byApp = state.purpose === 'authenticator';
    const codeTitle = signUp ? t.signUpCodeTitle : byApp ? t.authenticatorTitle : t.stepUpTitle;
    return (
      <main className="narrow">
        <h1 tabIndex={-1} ref={heading}>
          {codeTitle}
        </h1>
        <p>{signUp ? t.signUpCodeText(state.email) : byApp ? t.authenticatorText(state.email) : t.stepUpText(state.email)}</p>
        <form
          ref={form}
          onSubmit={submitCode}
          noValidate
          aria-label={codeTitle}
          // Escape goes back to the form, as Cancel does (as the password forms do).
          onKeyDown={(event) => {
            if (event.key === 'Escape' && !busy) void bridge.cancelSignIn();
          }}
        >
          <CodeField value={code} onChange={setCode} error={errors.code} autoFocus {...(byApp ? { label: t.authenticatorCode, hint: t.authenticatorHint, digitsOnly: false } : {})} />
          {!signUp && !byApp && (
            <Field label={messages.common.password} type="password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password} autoComplete="current-password" />
          )}
          <FormError message={errors.form} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
              {busy ? (signUp ? t.creating : t.signingIn) : signUp ? t.signUpCodeSubmit : byApp ? t.signIn : t.stepUpSubmit}
            </button>
            <button type="button" className="link" onClick={() => void bridge.cancelSignIn()}>
              {signUp ? t.otherEmail : messages.common.cancel}
            </button>
          </div>
        </form>
      </main>
    );
  }

  if (mode === 'forgot' || mode === 'reset') {
    return (
      <main className="narrow">
        <h1 tabIndex={-1} ref={heading}>
          {t.resetTitle}
        </h1>
        {mode === 'forgot' ? (
          <form ref={form} onSubmit={sendResetCode} noValidate aria-label={t.resetTitle}>
            <p>{t.resetIntro}</p>
            {!page && (
              <Field label={t.server} value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} error={errors.serverUrl} autoComplete="url" spellCheck={false} hint={t.serverHint} />
            )}
            <Field label={t.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} autoComplete="username" autoFocus />
            <FormError message={errors.form} />
            <div className="actions">
              <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
                {busy ? t.sendingCode : t.sendCode}
              </button>
              <button type="button" className="link" onClick={() => go('signIn')}>
                {t.back}
              </button>
            </div>
          </form>
        ) : (
          <form ref={form} onSubmit={submitReset} noValidate aria-label={t.resetTitle}>
            <p role="status">{t.codeSentTo(email)}</p>
            <CodeField ref={codeField} value={code} onChange={setCode} error={errors.code} />
            <Field
              label={t.newPassword}
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
              autoComplete="new-password"
              {...(!errors.password ? { hint: `${messages.common.atLeast(NEW_PASSWORD_MIN)} ${t.resetNote}` } : {})}
            />
            <FormError message={errors.form} />
            <div className="actions">
              <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
                {busy ? t.resetting : t.resetSubmit}
              </button>
              <button type="button" className="link" disabled={busy} onClick={() => void sendResetCode()}>
                {t.resendCode}
              </button>
              <button type="button" className="link" onClick={() => go('signIn')}>
                {t.back}
              </button>
            </div>
          </form>
        )}
      </main>
    );
  }

  const signInMode = mode === 'createAccount' ? 'createAccount' : 'signIn';
  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Errors = fieldErrors(signInMode === 'createAccount' ? CreateAccountInput : SignInInput, { mode: signInMode, serverUrl, email, password });
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstInvalid(form.current);
    const error = await signIn({ mode: signInMode, serverUrl, email, password });
    if (!error) return;
    const placed = placeError(error);
    // The account page has no Server field: what would be said there is said for the form.
    if (page && placed.serverUrl) setErrors({ form: placed.serverUrl });
    else setErrors(placed);
    // The form was busy while it waited, and the focus fell from it: back to where the answer points.
    moveFocus('invalid');
  }

  const title = page ? messages.page.signInTitle : mode === 'signIn' ? t.titleSignIn : t.titleCreate;
  const notice = state.status === 'signedOut' ? state.notice : undefined;
  const refused = state.status === 'signedOut' ? state.refused : undefined;
  const unfinishedSignOut = state.status === 'signedOut' ? state.unfinishedSignOut : undefined;
  return (
    <main className="narrow">
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {notice && <ForcedSignOutNotice notice={notice} onDismissed={() => emailField.current?.focus()} />}
      {refused && (
        <DismissibleNotice
          title={messages.approval.refusedTitle[refused.outcome]}
          text={messages.approval.refusedText[refused.outcome](refused.byDeviceName)}
          onDismissed={() => emailField.current?.focus()}
        />
      )}
      {unfinishedSignOut && (
        // Said as it changes: first that the server has not heard the sign-out yet, then that it has.
        <p className={unfinishedSignOut === 'waiting' ? 'warning' : 'muted'} role="status">
          {unfinishedSignOut === 'waiting' ? messages.page.signOutWaiting : messages.page.signOutDone}
        </p>
      )}
      {page && <p>{messages.page.signInIntro}</p>}
      <form ref={form} onSubmit={submit} noValidate aria-label={title}>
        {!page && (
          <Field label={t.server} value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} error={errors.serverUrl} autoComplete="url" spellCheck={false} hint={t.serverHint} />
        )}
        {/* With a notice on screen the notice has the focus first, so it is heard whole. */}
        <Field
          label={t.email}
          type="email"
          ref={emailField}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          autoComplete="username"
          autoFocus={!notice && !refused && !lastEmail}
        />
        {/* The address kept from the last try: the password is what is left to type. */}
        <Field
          autoFocus={!notice && !refused && lastEmail !== ''}
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
          {mode === 'signIn' && (
            <button type="button" className="link" onClick={() => go('forgot')}>
              {t.forgot}
            </button>
          )}
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
      {mode === 'signIn' && <PasskeySignIn serverUrl={page ? state.serverUrl : serverUrl} disabled={busy} />}
      {state.keychain.kind === 'memory-only' && (
        <p className="warning" role="note">
          {t.noKeychain} {messages.keychainUnavailable(state.keychain.store, state.keychain.problem)}
        </p>
      )}
    </main>
  );
}
