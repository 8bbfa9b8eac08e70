// The time components show relative to, kept current.
import { useEffect, useState } from 'react';

/** Re-render every 30 s so "last active 3 minutes ago" stays true. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
