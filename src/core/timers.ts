import type { Clock } from './clock.js';
import { scheduleAt } from './deadline.js';
import { listen, type Environment } from './environment.js';

/** The engine's two timers: the next thing to do (retry, renewal, deferral check) and the reconnect watchdog. */
export type TimerName = 'next' | 'watchdog';

/** Named timers: arming a name replaces what it held; a timer that fired or was disarmed never calls back. */
export interface Timers {
  /** Due when the wall clock reaches `at` (chunked, re-checked on wake-up: see scheduleAt). */
  at(name: TimerName, at: number): void;
  /** Due after `ms` of running time (a plain timeout: a sleep does not make it due at wake-up). */
  after(name: TimerName, ms: number): void;
  /** Due when the browser is back online. */
  whenOnline(name: TimerName): void;
  disarm(name: TimerName): void;
}

export function createTimers(clock: Clock, env: Environment, due: (name: TimerName) => void): Timers {
  const cancels = new Map<TimerName, () => void>();
  const arm = (name: TimerName, start: (fire: () => void) => () => void) => {
    disarm(name);
    const cancel = start(() => {
      if (cancels.get(name) !== cancel) return;
      disarm(name);
      due(name);
    });
    cancels.set(name, cancel);
  };
  const disarm = (name: TimerName) => {
    cancels.get(name)?.();
    cancels.delete(name);
  };
  return {
    at: (name, at) => arm(name, (fire) => scheduleAt(clock, env, at, fire)),
    after: (name, ms) =>
      arm(name, (fire) => {
        const handle = clock.setTimeout(fire, ms);
        return () => clock.clearTimeout(handle);
      }),
    whenOnline: (name) => arm(name, (fire) => listen(env.window, ['online'], fire)),
    disarm,
  };
}
