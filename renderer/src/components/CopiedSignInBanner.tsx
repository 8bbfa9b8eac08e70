import { useRef } from 'react';
import type { CopiedSignIn } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { formatDateTime } from '../format.js';
import { useLatch } from '../store/index.js';
import { focusHeading } from './focus.js';

const t = messages.copied;

/**
 * Another device's sign-in was copied and used (docs/architecture.md, "Token rotation"): that
 * device is already signed out, so what is left to do is change the password. One banner per
 * device, in every window, until dismissed.
 */
export function CopiedSignInBanners() {
  const alerts = useLatch((s) => s.copiedSignIns);
  if (alerts.length === 0) return null;
  return (
    <>
      {alerts.map((alert) => (
        <CopiedSignInBanner key={alert.sessionId} alert={alert} />
      ))}
    </>
  );
}

function CopiedSignInBanner({ alert }: { alert: CopiedSignIn }) {
  const dismiss = useLatch((s) => s.dismissCopiedSignIns);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const section = useRef<HTMLElement>(null);
  const titleId = `copied-${alert.sessionId}`;
  return (
    <section className="banner danger-banner" aria-labelledby={titleId} ref={section}>
      <strong id={titleId}>{t.title(alert.deviceName)}</strong>
      <p>{t.text(alert.deviceName, messages.usedFrom(alert.usedFrom), formatDateTime(alert.at), alert.alsoFrom && messages.usedFrom(alert.alsoFrom))}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => setPasswordFormOpen(true)}>
          {t.changePassword}
        </button>
        <button
          type="button"
          aria-label={t.dismissNamed(alert.deviceName)}
          onClick={() => {
            // The focus goes to the next alert of this kind, or to the page heading.
            const next = section.current?.nextElementSibling?.matches('.danger-banner') ? section.current.nextElementSibling.querySelector('button') : null;
            void dismiss([alert.sessionId]);
            requestAnimationFrame(() => (next instanceof HTMLElement && next.isConnected ? next.focus() : focusHeading()));
          }}
        >
          {messages.common.dismiss}
        </button>
      </div>
    </section>
  );
}
