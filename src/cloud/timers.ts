/** Thrown into pending delays when the cloud closes. */
export class CloudClosedError extends Error {
  override readonly name = 'CloudClosedError';
  constructor() {
    super('the local ApiRTC cloud is closed');
  }
}

/** Every timer the cloud starts, so close() can clear them all and leave no handle behind. */
export class Timers {
  readonly #pending = new Map<ReturnType<typeof setTimeout>, (() => void) | undefined>();

  /** Waits `ms` (resolves at once for 0); rejects with CloudClosedError if clearAll() runs first. */
  delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      this.#pending.set(timer, () => reject(new CloudClosedError()));
    });
  }

  /** A cancellable one-shot timer. Returns the function that cancels it. */
  schedule(ms: number, run: () => void): () => void {
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      run();
    }, ms);
    this.#pending.set(timer, undefined);
    return () => {
      clearTimeout(timer);
      this.#pending.delete(timer);
    };
  }

  clearAll(): void {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [timer, cancel] of pending) {
      clearTimeout(timer);
      cancel?.();
    }
  }
}
