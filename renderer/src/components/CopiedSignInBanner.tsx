import { useRef } from 'react';
import type { CopiedSignIn } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { timeOf } from '../format.js';
import { useLatch } from '../store/index.js';
import { focusHeading, useRescueFocus } from './focus.js';

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

/** The password form's first field; it takes the focus whether the form was open already or not. */
function focusPasswordForm(): void {
  requestAnimationFrame(() => document.querySelector<HTMLInputElement>('input[autocomplete="current-password"]')?.focus());
}

function CopiedSignInBanner({ alert }: { alert: CopiedSignIn }) {
  const dismiss = useLatch((s) => s.dismissCopiedSignIns);
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const section = useRef<HTMLElement>(null);
  useRescueFocus(section);
  const titleId = `copied-${alert.sessionId}`;
  return (
    <section className="banner danger-banner" aria-labelledby={titleId} ref={section} tabIndex={-1}>
      <h2 id={titleId}>{t.title(alert.deviceName)}</h2>
      <p>{t.text(alert.deviceName, messages.usedFrom(alert.usedFrom), timeOf(alert.at), alert.alsoFrom && messages.usedFrom(alert.alsoFrom))}</p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() => {
            setPasswordFormOpen(true);
            focusPasswordForm();
          }}
        >
          {t.changePassword}
        </button>
        <button
          type="button"
          aria-label={t.dismissNamed(alert.deviceName)}
          onClick={() => {
            // The focus goes to the next alert of this kind, or the one before, or to the page heading.
            const here = section.current;
            const sibling = [here?.nextElementSibling, here?.previousElementSibling].find((e) => e?.matches('.danger-banner'));
            void dismiss([alert.sessionId]);
            requestAnimationFrame(() => (sibling instanceof HTMLElement && sibling.isConnected ? sibling.focus() : focusHeading()));
          }}
        >
          {messages.common.dismiss}
        </button>
      </div>
    </section>
  );
}
