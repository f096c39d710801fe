import type { Clock } from './clock.js';
import { listen, type Environment } from './environment.js';

/** setTimeout fires at once above 2^31-1 ms (24.8 days); wake up at least this often and re-read the clock. */
export const DEADLINE_CHUNK_MS = 30_000;

/** Events after which a timer may have been throttled (background tab) or missed (sleep). */
const WAKE_EVENTS = ['focus', 'online', 'pageshow'] as const;

/**
 * Calls `callback` once, when the wall clock reaches `at`, or the monotonic clock says that much time has
 * passed (a wall clock set back an hour must not delay a renewal by an hour). Unlike a bare setTimeout it is
 * right for deadlines weeks away, after a laptop sleep, and in a throttled background tab: it re-arms in chunks
 * and re-checks the clocks whenever the page wakes up. Returns a cancel function.
 */
export function scheduleAt(clock: Clock, env: Environment, at: number, callback: () => void): () => void {
  let handle: unknown;
  let done = false;
  const monotonicAt = (clock.monotonic?.() ?? Infinity) + (at - clock.now());
  const remaining = () => Math.min(at - clock.now(), monotonicAt - (clock.monotonic?.() ?? 0));

  const check = () => {
    if (done) return;
    clock.clearTimeout(handle);
    const left = remaining();
    if (left <= 0) {
      cancel();
      callback();
      return;
    }
    handle = clock.setTimeout(check, Math.min(left, DEADLINE_CHUNK_MS));
  };

  const stopWindow = listen(env.window, WAKE_EVENTS, check);
  const stopDocument = listen(env.document, ['visibilitychange'], check);
  function cancel() {
    done = true;
    clock.clearTimeout(handle);
    stopWindow();
    stopDocument();
  }

  // Always through a timer, so the callback never runs before the caller holds `cancel`.
  handle = clock.setTimeout(check, Math.max(0, Math.min(remaining(), DEADLINE_CHUNK_MS)));
  return cancel;
}
