// "Ask one of my signed-in devices before a new device signs in" (docs/architecture.md, "Sign-in
// approval"): on, off and new recovery codes, each after the password; new codes are shown once.
import { useEffect, useRef, useState } from 'react';
import { messages } from '../../../../shared/messages.js';
import { PasswordForm } from '../../components/PasswordForm.js';
import { RecoveryCodesShown } from '../../components/RecoveryCodesShown.js';
import { useLatch } from '../../store/index.js';
import { SettingCard } from './SettingCard.js';

const t = messages.approval;
type Action = 'on' | 'off' | 'codes';

export function SignInApprovalSetting({ offline }: { offline: boolean }) {
  const approval = useLatch((s) => s.approval);
  const approvalError = useLatch((s) => s.approvalError);
  const loadApproval = useLatch((s) => s.loadApproval);
  const setApproval = useLatch((s) => s.setApproval);
  const regenerate = useLatch((s) => s.regenerateRecoveryCodes);
  const announce = useLatch((s) => s.announce);
  const [action, setAction] = useState<Action | undefined>();
  const [codes, setCodes] = useState<string[] | undefined>();
  const opener = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!offline) void loadApproval();
  }, [offline, loadApproval]);

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
    <SettingCard
      id="approval-title"
      title={t.settingTitle}
      label={t.settingLabel}
      status={approval && (approval.required ? t.settingOnText(approval.recoveryCodesLeft) : t.settingOffText)}
      error={approvalError}
      offline={offline}
    >
      {codes ? (
        <RecoveryCodesShown
          codes={codes}
          onDone={() => {
            setCodes(undefined);
            requestAnimationFrame(() => opener.current?.focus());
          }}
        />
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
    </SettingCard>
  );
}
