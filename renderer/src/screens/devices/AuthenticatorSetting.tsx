// "Ask for a code from an authenticator app when signing in with the password" (docs/architecture.md,
// "Authenticator codes"): set up after the password (a QR code and the key as text, then a code from the app
// turns it on), or turned off after the password. The recovery codes are the account's one set: made here
// when there were none, and made again here while sign-in approval, which otherwise offers it, is off.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuthenticatorSetup } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import { CodeField } from '../../components/CodeField.js';
import { PasswordForm } from '../../components/PasswordForm.js';
import { RecoveryCodesShown } from '../../components/RecoveryCodesShown.js';
import { useBusy } from '../../components/use-busy.js';
import { timeOf } from '../../format.js';
import { useLatch } from '../../store/index.js';
import { SettingCard } from './SettingCard.js';

const t = messages.authenticator;
type Action = 'on' | 'off' | 'codes';

export function AuthenticatorSetting({ offline }: { offline: boolean }) {
  const setting = useLatch((s) => s.authenticator);
  const settingError = useLatch((s) => s.authenticatorError);
  const approval = useLatch((s) => s.approval);
  const load = useLatch((s) => s.loadAuthenticator);
  const begin = useLatch((s) => s.beginAuthenticator);
  const turnOff = useLatch((s) => s.turnOffAuthenticator);
  const regenerate = useLatch((s) => s.regenerateRecoveryCodes);
  const announce = useLatch((s) => s.announce);
  const [action, setAction] = useState<Action | undefined>();
  const [setup, setSetup] = useState<AuthenticatorSetup | undefined>();
  const [codes, setCodes] = useState<string[] | undefined>();
  /** The setup ran past its ten minutes: said, with a way to start again. */
  const [ended, setEnded] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const restart = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (ended) restart.current?.focus();
  }, [ended]);

  useEffect(() => {
    if (!offline) void load();
  }, [offline, load]);

  const backToOpener = () => requestAnimationFrame(() => opener.current?.focus());
  const close = () => {
    setAction(undefined);
    setSetup(undefined);
    backToOpener();
  };

  async function confirmPassword(password: string): Promise<string | undefined> {
    if (action === 'on') {
      const result = await begin(password);
      if ('code' in result) return result.message;
      setAction(undefined);
      setSetup(result);
      return undefined;
    }
    if (action === 'codes') {
      const result = await regenerate(password);
      if ('code' in result) return result.message;
      setAction(undefined);
      setCodes(result.recoveryCodes);
      return undefined;
    }
    const result = await turnOff(password);
    if ('code' in result) return result.message;
    setAction(undefined);
    announce(t.announceOff);
    backToOpener();
    return undefined;
  }

  const label = action === 'on' ? t.confirmOn : action === 'off' ? t.confirmOff : messages.approval.confirmCodes;
  return (
    <SettingCard
      id="authenticator-title"
      title={t.settingTitle}
      label={t.settingLabel}
      status={
        setting &&
        (!setting.enabled ? t.settingOffText : approval?.required ? t.settingOnWithApproval(setting.recoveryCodesLeft) : t.settingOnText(setting.recoveryCodesLeft))
      }
      error={settingError}
      offline={offline}
    >
      {codes ? (
        <RecoveryCodesShown
          codes={codes}
          onDone={() => {
            setCodes(undefined);
            backToOpener();
          }}
        />
      ) : ended ? (
        <div className="actions-block">
          <p role="alert">{t.setupEnded}</p>
          <div className="actions">
            <button
              type="button"
              ref={restart}
              disabled={offline}
              onClick={() => {
                setEnded(false);
                setAction('on');
              }}
            >
              {t.startAgain}
            </button>
            <button type="button" onClick={() => (setEnded(false), backToOpener())}>
              {messages.common.cancel}
            </button>
          </div>
        </div>
      ) : setup ? (
        <SetupSteps
          setup={setup}
          onEnded={() => {
            setSetup(undefined);
            setEnded(true);
          }}
          onCancel={close}
          onDone={(recoveryCodes) => {
            setSetup(undefined);
            announce(t.announceOn);
            if (recoveryCodes) setCodes(recoveryCodes);
            else backToOpener();
          }}
        />
      ) : action ? (
        <PasswordForm formLabel={label} hint={(action === 'codes' ? messages.approval : t).passwordFor(label)} submitLabel={label} onSubmit={confirmPassword} onCancel={close} />
      ) : (
        setting && (
          <div className="actions">
            <button type="button" ref={opener} disabled={offline} onClick={() => setAction(setting.enabled ? 'off' : 'on')}>
              {setting.enabled ? t.turnOff : t.turnOn}
            </button>
            {setting.enabled && approval?.required === false && (
              <button type="button" disabled={offline} onClick={() => setAction('codes')}>
                {messages.approval.newCodes}
              </button>
            )}
          </div>
        )
      )}
    </SettingCard>
  );
}

/** The QR code and the key, then the code the app shows: a right one turns codes on. */
function SetupSteps({
  setup,
  onCancel,
  onEnded,
  onDone,
}: {
  setup: AuthenticatorSetup;
  onCancel: () => void;
  onEnded: () => void;
  onDone: (recoveryCodes: string[] | undefined) => void;
}) {
  const confirm = useLatch((s) => s.confirmAuthenticator);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [copied, setCopied] = useState('');
  const [busy, whileBusy] = useBusy();
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // Four characters at a time, as apps show and people read it.
  const spaced = setup.secret.replace(/(.{4})(?=.)/g, '$1 ');

  async function copyKey() {
    try {
      await navigator.clipboard.writeText(setup.secret);
      setCopied(t.keyCopied);
    } catch {
      setCopied(t.keyNotCopied);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!code.trim()) {
      setError(messages.fieldRules.app_code_digits);
      return field.current?.focus();
    }
    await whileBusy(async () => {
      const result = await confirm(code);
      if ('code' in result && result.code === 'code_expired') return onEnded();
      if ('code' in result) {
        setError(result.message);
        field.current?.focus();
        return;
      }
      onDone(result.recoveryCodes);
    });
  }

  return (
    <div
      className="authenticator-setup"
      // Escape leaves the setup, as Cancel does (as the password form does).
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !busy) onCancel();
      }}
    >
      <h3 tabIndex={-1} ref={heading}>
        {t.scanTitle}
      </h3>
      <p>{t.scanText}</p>
      <img className="qr-code" src={setup.qrCode} alt={t.qrAlt} width={200} height={200} />
      <p className="key-label">{t.keyLabel}</p>
      <p>
        <code className="authenticator-key">{spaced}</code>
      </p>
      <div className="actions">
        <button type="button" onClick={() => void copyKey()}>
          {t.keyCopy}
        </button>
      </div>
      <p role="status" className="muted">
        {copied}
      </p>
      <form onSubmit={submit} noValidate aria-label={t.confirmSubmit}>
        <CodeField ref={field} value={code} onChange={setCode} error={error} label={t.codeLabel} hint={t.codeHint} />
        <p className="muted">{t.setupEnds(timeOf(setup.expiresAt))}</p>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {t.confirmSubmit}
          </button>
          <button type="button" onClick={onCancel}>
            {messages.common.cancel}
          </button>
        </div>
      </form>
    </div>
  );
}
