/** Wall clock and timers, injectable so tests control time instead of sleeping. */
export interface Clock {
  /** Milliseconds since epoch (wall clock: it jumps after a sleep or a clock change). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
