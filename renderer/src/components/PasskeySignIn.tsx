// "Sign in with a passkey" under the sign-in form (docs/architecture.md, "Passkeys"): no email typed, the
// passkey names the account. Where this window cannot use passkeys, the button says why instead of failing.
import { useEffect, useId, useRef, useState } from 'react';
import { messages } from '../../../shared/messages.js';
import { passkeysHere, whyNoPasskeys } from '../passkeys.js';
import { useLatch } from '../store/index.js';
import { useBusy } from './use-busy.js';

const t = messages.passkeys;

export function PasskeySignIn({ serverUrl, disabled }: { serverUrl: string; disabled: boolean }) {
  const signIn = useLatch((s) => s.signInWithPasskey);
  const [here] = useState(passkeysHere);
  const [error, setError] = useState<string | undefined>();
  const [busy, whileBusy] = useBusy();
  const button = useRef<HTMLButtonElement>(null);
  const noteId = useId();
  const whyNot = whyNoPasskeys(here, serverUrl);

  // Refused: the button has the focus again (once it is enabled), and the reason is read out.
  const [failures, setFailures] = useState(0);
  useEffect(() => {
    if (failures > 0) button.current?.focus();
  }, [failures]);

  async function go() {
    setError(undefined);
    const failed = await whileBusy(() => signIn(serverUrl));
    if (failed) {
      setError(failed.message);
      setFailures((n) => n + 1);
    }
  }
  return (
    <div className="passkey-sign-in">
      <button
        type="button"
        ref={button}
        disabled={disabled || busy || whyNot !== undefined}
        aria-busy={busy}
        aria-describedby={whyNot ? noteId : undefined}
        onClick={() => void go()}
      >
        {busy ? t.signingIn : t.signIn}
      </button>
      {whyNot ? (
        <p className="muted" id={noteId}>
          {whyNot}
        </p>
      ) : (
        error && (
          <p className="field-error" id={noteId} role="alert">
            {error}
          </p>
        )
      )}
    </div>
  );
}
