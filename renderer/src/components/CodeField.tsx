import type { Ref } from 'react';
import { messages } from '../../../shared/messages.js';
import { Field } from './Field.js';

/**
 * The one field for a 6-digit code (mailed, or from an authenticator app): the OS offers the code from the
 * mail (`one-time-code`), a pasted code with spaces is taken as is (the server drops them), and phones show
 * digits. Room for a recovery code (`xxxxx-xxxxx`) where one is taken instead.
 */
export function CodeField({
  value,
  onChange,
  error,
  label = messages.signIn.code,
  hint = messages.signIn.codeHint,
  digitsOnly = true,
  autoFocus,
  ref,
}: {
  value: string;
  onChange(value: string): void;
  error?: string | undefined;
  label?: string;
  hint?: string;
  /** False where a recovery code (letters) is taken too: phones then show a full keyboard. */
  digitsOnly?: boolean;
  autoFocus?: boolean;
  ref?: Ref<HTMLInputElement>;
}) {
  return (
    <Field
      label={label}
      ref={ref}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      inputMode={digitsOnly ? 'numeric' : 'text'}
      // A wrong code is said where the focus stays, so a screen reader hears it.
      announceError
      autoComplete="one-time-code"
      spellCheck={false}
      maxLength={16}
      className="code-input"
      hint={hint}
      {...(autoFocus ? { autoFocus } : {})}
    />
  );
}
