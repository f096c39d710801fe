/** Backoff for failures that may pass (network, timeouts, 5xx). */
export interface RetryOptions {
  /**
   * First delay after a failure that may pass, in ms; doubles with each failure, with jitter.
   *
   * @defaultValue `1000`
   */
  baseDelayMs?: number;
  /**
   * The longest delay, in ms.
   *
   * @defaultValue `30000`
   */
  maxDelayMs?: number;
}

/**
 * The wait before the `failures`-th retry: `baseDelayMs * 2^(failures-1)`, capped at `maxDelayMs`, with
 * "equal jitter" (half of it fixed, half random), so that the retries of many clients spread out.
 */
export function backoffDelay(failures: number, retry: RetryOptions | null | undefined, random: () => number): number {
  const delay = Math.min(retry?.maxDelayMs ?? 30_000, (retry?.baseDelayMs ?? 1_000) * 2 ** (failures - 1));
  return Math.round(delay / 2 + (delay / 2) * random());
}
