import type { Clock } from '../../src/core/clock.js';
import type { Environment } from '../../src/core/environment.js';

/** Lets every pending promise callback run (a macrotask drains the microtask queue). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** An injectable wall clock with timers: tests move time instead of sleeping. */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
    this.time = start;
  }

  now = (): number => this.time;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    // As in browsers and Node, a delay above 2^31-1 ms overflows and fires almost at once.
    const delay = ms > 2 ** 31 - 1 ? 1 : Math.max(0, ms);
    this.timers.set(id, { at: this.time + delay, callback });
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
    const target = this.time + ms;
    for (;;) {
      await flush();
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = target;
    await flush();
  }

  /** The wall clock jumps (a laptop sleep): no timer fires, as in a suspended browser. */
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
