// A component's own action in progress. The one way a component tracks that; work that other
// components show too (a device being signed out, in its row and in its alert) is in the store
// (`revoking`).
import { useCallback, useState } from 'react';

/** `busy` while an action run through `whileBusy` is under way. */
export function useBusy(): [busy: boolean, whileBusy: <T>(action: () => Promise<T>) => Promise<T>] {
  const [busy, setBusy] = useState(false);
  const whileBusy = useCallback(async <T,>(action: () => Promise<T>): Promise<T> => {
    setBusy(true);
    try {
      return await action();
    } finally {
      setBusy(false);
    }
  }, []);
  return [busy, whileBusy];
}
