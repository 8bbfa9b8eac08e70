import { noticeText, noticeTitle } from '../../../shared/notice-text.js';
import type { Notice } from '../../../shared/ipc.js';
import { useLatch } from '../store/index.js';

/** Why this device was signed out, until the person dismisses it. */
export function ForcedSignOutNotice({ notice }: { notice: Notice }) {
  const dismiss = useLatch((s) => s.dismissNotice);
  return (
    <div className="notice" role="alert" aria-labelledby="notice-title">
      <div>
        <strong id="notice-title">{noticeTitle(notice)}</strong>
        <p>{noticeText(notice)}</p>
      </div>
      <button type="button" onClick={() => void dismiss()}>
        Dismiss
      </button>
    </div>
  );
}
