// The account's recovery codes, shown once where they were made (sign-in approval turned on, authenticator
// codes set up, new codes): copy, save as a file or print, then "I have saved them". The heading takes the
// focus, so a screen reader starts at the codes.
import { useEffect, useRef, useState } from 'react';
import { messages } from '../../../shared/messages.js';

const t = messages.approval;

/** The codes as a text file to save: one per line, with what they are for. */
function codesFile(codes: string[]): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(`${t.codesFileHeader}\n\n${codes.join('\n')}\n`)}`;
}

export function RecoveryCodesShown({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const copyCodes = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied(t.codesCopied);
    } catch {
      setCopied(t.codesNotCopied);
    }
  };
  return (
    <div className="codes">
      <h3 tabIndex={-1} ref={heading}>
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
        <button type="button" onClick={() => void copyCodes()}>
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
        <button type="button" className="primary" onClick={onDone}>
          {t.codesSaved}
        </button>
      </div>
    </div>
  );
}
