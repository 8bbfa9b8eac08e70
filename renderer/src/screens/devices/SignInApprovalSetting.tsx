// "Ask one of my signed-in devices before a new device signs in" (docs/architecture.md, "Sign-in
// approval"): on, off and new recovery codes, each after the password; new codes are shown once.
import { useEffect, useRef, useState } from 'react';
import { messages } from '../../../../shared/messages.js';
import { PasswordForm } from '../../components/PasswordForm.js';
import { useLatch } from '../../store/index.js';

const t = messages.approval;
type Action = 'on' | 'off' | 'codes';

/** The codes as a text file to save: one per line, with what they are for. */
function codesFile(codes: string[]): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(`${t.codesFileHeader}\n\n${codes.join('\n')}\n`)}`;
}

export function SignInApprovalSetting({ offline }: { offline: boolean }) {
  const [copied, setCopied] = useState('');
  const copyCodes = async (codes: string[]) => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied(t.codesCopied);
    } catch {
      setCopied(t.codesNotCopied);
    }
  };
  const approval = useLatch((s) => s.approval);
  const approvalError = useLatch((s) => s.approvalError);
  const loadApproval = useLatch((s) => s.loadApproval);
  const setApproval = useLatch((s) => s.setApproval);
  const regenerate = useLatch((s) => s.regenerateRecoveryCodes);
  const announce = useLatch((s) => s.announce);
  const [action, setAction] = useState<Action | undefined>();
  const [codes, setCodes] = useState<string[] | undefined>();
  const opener = useRef<HTMLButtonElement>(null);
  const codesHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!offline) void loadApproval();
  }, [offline, loadApproval]);
  useEffect(() => {
    if (codes) codesHeading.current?.focus();
  }, [codes]);

  const close = () => {
    setAction(undefined);
    requestAnimationFrame(() => opener.current?.focus());
  };

  async function confirm(password: string): Promise<string | undefined> {
    if (action === 'codes') {
      const result = await regenerate(password);
      if ('code' in result) return result.message;
      setAction(undefined);
      setCodes(result.recoveryCodes);
      return undefined;
    }
    const result = await setApproval(action === 'on', password);
    if ('code' in result) return result.message;
    setAction(undefined);
    announce(result.required ? t.announceOn : t.announceOff);
    if (result.recoveryCodes) setCodes(result.recoveryCodes);
    else requestAnimationFrame(() => opener.current?.focus());
    return undefined;
  }

  const label = action === 'on' ? t.confirmOn : action === 'off' ? t.confirmOff : t.confirmCodes;
  return (
    <section className="card" aria-labelledby="approval-title">
      <h2 id="approval-title">{t.settingTitle}</h2>
      <p>
        <strong>{t.settingLabel}</strong>
      </p>
      {approval === undefined ? (
        // Offline it cannot load: said so, rather than "Loading…" for ever; it loads when the connection is back.
        <p className="muted" aria-busy={!approvalError && !offline}>
          {approvalError ?? (offline ? messages.common.settingOffline : messages.common.loading)}
        </p>
      ) : (
        <p className="muted">{approval.required ? t.settingOnText(approval.recoveryCodesLeft) : t.settingOffText}</p>
      )}
      {codes ? (
        <div className="codes">
          <h3 tabIndex={-1} ref={codesHeading}>
            {t.codesTitle}
          </h3>
          <p>{t.codesText}</p>
          <ol className="code-list">
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ol>
          <div className="actions">
            <button type="button" onClick={() => void copyCodes(codes)}>
              {t.codesCopy}
            </button>
            <a className="button" href={codesFile(codes)} download="latch-recovery-codes.txt">
              {t.codesSave}
            </a>
            <button type="button" onClick={() => window.print()}>
              {t.codesPrint}
            </button>
          </div>
          <p role="status" className="muted">
            {copied}
          </p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                setCopied('');
                setCodes(undefined);
                requestAnimationFrame(() => opener.current?.focus());
              }}
            >
              {t.codesSaved}
            </button>
          </div>
        </div>
      ) : action ? (
        <PasswordForm formLabel={label} hint={t.passwordFor(label)} submitLabel={label} onSubmit={confirm} onCancel={close} />
      ) : (
        approval && (
          <div className="actions">
            <button type="button" ref={opener} disabled={offline} onClick={() => setAction(approval.required ? 'off' : 'on')}>
              {approval.required ? t.turnOff : t.turnOn}
            </button>
            {approval.required && (
              <button type="button" disabled={offline} onClick={() => setAction('codes')}>
                {t.newCodes}
              </button>
            )}
          </div>
        )
      )}
    </section>
  );
}
