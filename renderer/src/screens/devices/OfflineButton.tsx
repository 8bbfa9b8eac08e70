// A devices-window button whose action needs the server: offline it stays in the Tab order (aria-disabled,
// not disabled), described by the reason it cannot work now, and does nothing when pressed.
import type { ButtonHTMLAttributes, Ref } from 'react';
import { OFFLINE_REASON_ID } from './ids.js';

type Props = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick' | 'type'> & { offline: boolean; onClick: () => void; ref?: Ref<HTMLButtonElement> };

export function OfflineButton({ offline, onClick, ref, ...rest }: Props) {
  return (
    <button
      type="button"
      ref={ref}
      {...rest}
      aria-disabled={offline || undefined}
      aria-describedby={offline ? OFFLINE_REASON_ID : undefined}
      onClick={() => {
        if (!offline) onClick();
      }}
    />
  );
}
