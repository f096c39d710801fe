/** Wall clock and timers, injectable so tests control time instead of sleeping. */
export interface Clock {
  /** Milliseconds since epoch (wall clock: it jumps after a sleep or a clock change). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * Milliseconds on a clock that only moves forward (`performance.now()`): deadlines fire when either clock says
   * they are due, so a wall clock set back does not delay them. Optional: without it, only the wall clock counts.
   */
  monotonic?(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  monotonic: () => performance.now(),
};
