import { useState } from 'react';
import { messages } from '../../../shared/messages.js';
import { useLatch } from '../store/index.js';
import { PasswordForm } from './PasswordForm.js';

/**
 * Signing other devices out needs the password from the last few minutes
 * (so a copied sign-in alone cannot do it). When the server asks for it, this
 * form asks in place and then finishes what the person started (`onConfirmed`;
 * the form goes away when that succeeds; if it stays, its owner says why).
 */
export function ReauthForm({ action, confirmLabel, onConfirmed, onCancel }: { action: string; confirmLabel: string; onConfirmed: () => Promise<void>; onCancel: () => void }) {
  const reauthenticate = useLatch((s) => s.reauthenticate);
  const [stage, setStage] = useState<'checking' | 'finishing'>('checking');

  async function submit(password: string): Promise<string | undefined> {
    setStage('checking');
    const failed = await reauthenticate(password);
    if (failed) return failed.details?.[0]?.message ?? failed.message;
    setStage('finishing');
    await onConfirmed();
    return undefined;
  }
  return (
    <PasswordForm
      formLabel={messages.reauth.formLabel(action)}
      hint={messages.reauth.hint(action, 10)}
      submitLabel={confirmLabel}
      busyLabel={stage === 'checking' ? messages.reauth.checking : messages.common.signingOut}
      tone="danger"
      onSubmit={submit}
      onCancel={onCancel}
    />
  );
}
