/**
 * Instruments for "nothing is left behind": a system clock that counts the timers still scheduled,
 * an environment over the real window/document that counts listeners, an SDK wrapper that counts the
 * listeners the engine put on each real UserAgent, and an event log tests can wait on (never sleep).
 */
import type { Clock } from '../../src/core/clock.js';
import type { Environment, EventSourceLike } from '../../src/core/environment.js';
import type { ApiRtcSdk, UserAgentLike } from '../../src/core/sdk.js';
import type { SessionEvent } from '../../src/core/events.js';

/** Real timers (setTimeout), with a count of those neither fired nor cleared. */
export class CountingClock implements Clock {
  private readonly live = new Set<ReturnType<typeof setTimeout>>();
  /** Every delay the engine asked for, in order. */
  readonly delays: number[] = [];

  now = (): number => Date.now();

  setTimeout = (callback: () => void, ms: number): unknown => {
    this.delays.push(ms);
    const handle = setTimeout(() => {
      this.live.delete(handle);
      callback();
    }, ms);
    this.live.add(handle);
    return handle;
  };

  clearTimeout = (handle: unknown): void => {
    this.live.delete(handle as ReturnType<typeof setTimeout>);
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  };

  /** Timers still scheduled. */
  get pending(): number {
    return this.live.size;
  }
}

type Listener = () => void;

class CountedTarget implements EventSourceLike {
  readonly attached: Array<[string, Listener]> = [];
  constructor(private readonly target: EventSourceLike) {}
  addEventListener(type: string, listener: Listener): void {
    this.attached.push([type, listener]);
    this.target.addEventListener(type, listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    const index = this.attached.findIndex(([t, l]) => t === type && l === listener);
    if (index >= 0) this.attached.splice(index, 1);
    this.target.removeEventListener(type, listener);
  }
}

export interface CountingEnvironment extends Environment {
  /** window + document listeners the engine still holds. */
  readonly listeners: number;
}

/** The real jsdom window/document (or none in Node), with the engine's listeners counted. */
export function countingEnvironment(): CountingEnvironment {
  const win = typeof window === 'undefined' ? undefined : new CountedTarget(window);
  const doc = typeof document === 'undefined' ? undefined : new CountedTarget(document);
  return {
    window: win,
    document: doc,
    isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    get listeners() {
      return (win?.attached.length ?? 0) + (doc?.attached.length ?? 0);
    },
  };
}

export interface CountingSdk {
  /** For the engine's `loadSdk` option. */
  load: () => Promise<ApiRtcSdk>;
  /** Every UserAgent the engine created, in order. */
  readonly userAgents: UserAgentLike[];
  /** Listeners the engine added to a UserAgent and has not removed (all UserAgents). */
  readonly listeners: number;
}

/**
 * Wraps the real SDK: each UserAgent the engine creates is the SDK's own, with `on`/`removeListener`
 * counted (the SDK keeps its listeners out of reach, so they are counted on the way in and out).
 */
export function countingSdk(loadReal: () => Promise<ApiRtcSdk>): CountingSdk {
  const userAgents: UserAgentLike[] = [];
  const attached: Array<[UserAgentLike, string, unknown]> = [];
  const load = async (): Promise<ApiRtcSdk> => {
    const real = await loadReal();
    function UserAgent(options: { uri: string }): UserAgentLike {
      const ua = new real.UserAgent(options);
      const on = ua.on.bind(ua);
      const removeListener = ua.removeListener.bind(ua);
      ua.on = (event, listener) => {
        attached.push([ua, event, listener]);
        return on(event, listener);
      };
      ua.removeListener = (event, listener) => {
        const index = attached.findIndex(([u, e, l]) => u === ua && e === event && l === listener);
        if (index >= 0) attached.splice(index, 1);
        return removeListener(event, listener);
      };
      userAgents.push(ua);
      return ua;
    }
    // The real module stays the prototype: the page's socket layer (apiCC) the engine reads is the real one.
    return Object.assign(Object.create(real) as ApiRtcSdk, { UserAgent: UserAgent as unknown as ApiRtcSdk['UserAgent'] });
  };
  return {
    load,
    userAgents,
    get listeners() {
      return attached.length;
    },
  };
}

export type TimedEvent = SessionEvent & { at: number };

/** Every engine event with the wall time it was emitted at; `until` waits for one (past or future). */
export class EventLog {
  readonly events: TimedEvent[] = [];
  private readonly waiters = new Set<() => void>();

  /** For the engine's `onEvent` option. */
  readonly record = (event: SessionEvent): void => {
    this.events.push({ ...event, at: Date.now() });
    for (const waiter of [...this.waiters]) waiter();
  };

  of<T extends SessionEvent['type']>(type: T): Array<Extract<SessionEvent, { type: T }> & { at: number }> {
    return this.events.filter((event) => event.type === type) as Array<Extract<SessionEvent, { type: T }> & { at: number }>;
  }

  /** Resolves with the first recorded event of `type` passing `predicate`, waiting for it if needed. */
  until<T extends SessionEvent['type']>(
    type: T,
    predicate: (event: Extract<SessionEvent, { type: T }> & { at: number }) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<SessionEvent, { type: T }> & { at: number }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.of(type).find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no '${type}' event passing the predicate within ${timeoutMs} ms; events: ${this.events.map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
