import { useEffect, useRef } from 'react';

/**
 * After a question or form closes by Cancel or Escape, focus goes back to the
 * button that opened it (`opener`), which is rendered again only once `open`
 * is false. Call `returnFocus()` just before closing.
 */
export function useReturnFocus(open: boolean) {
  const opener = useRef<HTMLButtonElement>(null);
  const pending = useRef(false);
  useEffect(() => {
    if (open || !pending.current) return;
    pending.current = false;
    opener.current?.focus();
  }, [open]);
  return { opener, returnFocus: () => void (pending.current = true) };
}
