import { useNow } from './useNow.js';

/** Seconds left until `at` (ms since epoch), ticking; "—" when there is no deadline. */
export function Countdown({ at, testId }: { at: number | undefined; testId?: string }) {
  const now = useNow();
  const text = at === undefined ? '—' : `${(Math.max(0, at - now) / 1000).toFixed(1)} s`;
  return <span data-testid={testId}>{text}</span>;
}
