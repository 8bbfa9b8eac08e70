import { useState } from 'react';
import { PLATFORM_NAMES } from '../format.js';
import { useLatch } from '../store/index.js';
import { ReauthForm } from './ReauthForm.js';

/** "New sign-in" alerts, with a way to act on one that was not you. */
export function NewSignInBanners() {
  const alerts = useLatch((s) => s.newSignIns);
  const dismiss = useLatch((s) => s.dismissNewSignIn);
  const revokeSession = useLatch((s) => s.revokeSession);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [needsPassword, setNeedsPassword] = useState<string | undefined>();
  if (alerts.length === 0) return null;

  async function notMe(id: string) {
    setErrors(({ [id]: _old, ...rest }) => rest);
    const error = await revokeSession(id);
    if (error?.code === 'reauth_required') return setNeedsPassword(id);
    setNeedsPassword(undefined);
    if (error && error.code !== 'not_found') return setErrors((all) => ({ ...all, [id]: error.message }));
    dismiss(id);
    setPasswordFormOpen(true);
  }

  return (
    <div className="banners">
      {alerts.map((session) => (
        <div className="banner" role="alert" key={session.id}>
          <div>
            <strong>New sign-in:</strong> '{session.deviceName}' ({PLATFORM_NAMES[session.platform]}) from {session.ip}
            {errors[session.id] && <p className="form-error">{errors[session.id]}</p>}
            {needsPassword === session.id && (
              <ReauthForm action={`sign out '${session.deviceName}'`} confirmLabel="Sign out" onConfirmed={() => notMe(session.id)} onCancel={() => setNeedsPassword(undefined)} />
            )}
          </div>
          <div className="actions">
            <button type="button" className="danger" disabled={needsPassword === session.id} onClick={() => void notMe(session.id)}>
              That wasn't me
            </button>
            <button type="button" onClick={() => dismiss(session.id)} aria-label={`Dismiss the alert about ${session.deviceName}`}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
