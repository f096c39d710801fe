import { useEffect, useState } from 'react';

/** The wall clock, re-read every `intervalMs`: for countdowns. */
export function useNow(intervalMs = 200): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
