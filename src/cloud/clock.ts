/** The cloud's clock: the configured `now` plus an offset that tests and demos can advance. */
export class CloudClock {
  #offsetMs = 0;
  readonly #base: () => number;

  constructor(base: () => number) {
    this.#base = base;
  }

  /** Ms since epoch, as the cloud sees it (checks `exp`, stamps records, expires login tokens). */
  now(): number {
    return this.#base() + this.#offsetMs;
  }

  /** Moves the cloud's clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError('advance(ms) needs a finite number of ms');
    this.#offsetMs += ms;
  }

  /** Back to the configured clock. */
  reset(): void {
    this.#offsetMs = 0;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }
}
