import { useEffect, useRef } from 'react';
import type { Notice } from '../../../shared/ipc.js';
import { messages } from '../../../shared/messages.js';
import { noticeText, noticeTitle } from '../../../shared/notice-text.js';
import { useLatch } from '../store/index.js';

/**
 * Why this device was signed out, until the person dismisses it. It takes the
 * focus when it appears, so it is read out whole (title and sentence) before
 * anything else; Dismiss hands the focus to the Email field.
 */
export function ForcedSignOutNotice({ notice, onDismissed }: { notice: Notice; onDismissed: () => void }) {
  return <DismissibleNotice title={noticeTitle(notice)} text={noticeText(notice)} onDismissed={onDismissed} />;
}

/** The same box for why the last sign-in here did not happen (sign-in approval). */
export function DismissibleNotice({ title, text, onDismissed }: { title: string; text: string; onDismissed: () => void }) {
  const dismiss = useLatch((s) => s.dismissNotice);
  const box = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <section className="notice" tabIndex={-1} ref={box} aria-labelledby="notice-title" aria-describedby="notice-text">
      <div>
        <strong id="notice-title">{title}</strong>
        <p id="notice-text">{text}</p>
      </div>
      <button
        type="button"
        onClick={async () => {
          await dismiss();
          onDismissed();
        }}
      >
        {messages.common.dismiss}
      </button>
    </section>
  );
}
