import type { Clock } from '../../src/core/clock.js';
import type { Environment } from '../../src/core/environment.js';

/** Lets every pending promise callback run (a macrotask drains the microtask queue). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * An injectable clock with timers: tests move time instead of sleeping. Like a browser's, the timers run on
 * elapsed time (the monotonic clock): `advance` moves both clocks, `jump` moves the wall clock alone (a laptop
 * sleep, or a clock set back), and no timer fires for it.
 */
export class FakeClock implements Clock {
  private time: number;
  private elapsed = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.time = start;
  }

  now = (): number => this.time;

  monotonic = (): number => this.elapsed;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    // As in browsers and Node, a delay above 2^31-1 ms overflows and fires almost at once.
    const delay = ms > 2 ** 31 - 1 ? 1 : Math.max(0, ms);
    this.timers.set(id, { at: this.elapsed + delay, callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** Timers still scheduled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises between them. */
  async advance(ms: number): Promise<void> {
    const target = this.elapsed + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      const step = Math.max(0, next[1].at - this.elapsed);
      this.elapsed += step;
      this.time += step;
      next[1].callback();
    }
    this.time += target - this.elapsed;
    this.elapsed = target;
    await flush();
  }

  /** The wall clock jumps (a laptop sleep, or set back when negative): no timer fires. */
  jump(ms: number): void {
    this.time += ms;
  }
}

class CountingTarget extends EventTarget {
  listeners = 0;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    this.listeners += 1;
    super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    this.listeners -= 1;
    super.removeEventListener(type, listener, options);
  }
}

/** A window/document pair whose listeners are counted, and an online flag. */
export class FakeEnvironment implements Environment {
  readonly window = new CountingTarget();
  readonly document = new CountingTarget();
  online = true;
  isOnline = (): boolean => this.online;

  get listeners(): number {
    return this.window.listeners + this.document.listeners;
  }

  goOffline(): void {
    this.online = false;
    this.window.dispatchEvent(new Event('offline'));
  }

  goOnline(): void {
    this.online = true;
    this.window.dispatchEvent(new Event('online'));
  }

  wake(): void {
    this.document.dispatchEvent(new Event('visibilitychange'));
  }
}
