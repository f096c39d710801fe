import { describe, expect, it, vi } from 'vitest';
import { DEADLINE_CHUNK_MS, scheduleAt } from '../../src/core/deadline.js';
import type { Environment } from '../../src/core/environment.js';
import { FakeClock, FakeEnvironment } from '../support/fake-clock.js';

const DAY_MS = 24 * 3_600_000;

function setup() {
  const clock = new FakeClock();
  const env = new FakeEnvironment();
  const setTimeoutSpy = vi.spyOn(clock, 'setTimeout');
  const callback = vi.fn();
  /** Every delay scheduleAt asked of the clock. */
  const delays = () => setTimeoutSpy.mock.calls.map(([, ms]) => ms);
  return { clock, env, callback, delays };
}

describe('scheduleAt', () => {
  it('fires on time when the wall clock is set back meanwhile: the monotonic clock says it is due', async () => {
    const { clock, env, callback } = setup();
    scheduleAt(clock, env, clock.now() + 60_000, callback);
    clock.jump(-3_600_000); // a time sync, or a user setting the clock back an hour
    await clock.advance(59_999);
    expect(callback).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('without a monotonic clock, only the wall clock counts', async () => {
    const { clock, env, callback } = setup();
    const wallOnly = { now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout };
    scheduleAt(wallOnly, env, clock.now() + 60_000, callback);
    clock.jump(-3_600_000);
    await clock.advance(60_000);
    expect(callback).not.toHaveBeenCalled();
  });

  it('fires at the wall-clock deadline, not a millisecond before', async () => {
    const { clock, env, callback } = setup();
    scheduleAt(clock, env, clock.now() + 10_000, callback);
    await clock.advance(9_999);
    expect(callback).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.pending).toBe(0);
  });

  it('arms a deadline shorter than a chunk with one exact timer', () => {
    const { clock, env, callback, delays } = setup();
    scheduleAt(clock, env, clock.now() + 1_234, callback);
    expect(delays()).toEqual([1_234]);
    expect(clock.pending).toBe(1);
  });

  it('waits in chunks of at most DEADLINE_CHUNK_MS, one timer at a time', async () => {
    const { clock, env, callback, delays } = setup();
    const at = clock.now() + 2 * DEADLINE_CHUNK_MS + 5_000;
    scheduleAt(clock, env, at, callback);
    expect(clock.pending).toBe(1);
    for (let i = 0; i < 2; i += 1) {
      await clock.advance(DEADLINE_CHUNK_MS);
      expect(callback).not.toHaveBeenCalled();
      expect(clock.pending).toBe(1);
    }
    await clock.advance(5_000);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.now()).toBe(at);
    expect(delays()).toEqual([DEADLINE_CHUNK_MS, DEADLINE_CHUNK_MS, 5_000]);
  });

  it('does not fire early for a deadline 30 days away, although a bare setTimeout would overflow', async () => {
    const { clock, env, callback, delays } = setup();
    const start = clock.now();
    const at = start + 30 * DAY_MS;

    // The fake clock emulates the overflow: a bare 30-day setTimeout fires after 1 ms.
    const bare = vi.fn();
    clock.setTimeout(bare, 30 * DAY_MS);
    await clock.advance(1);
    expect(bare).toHaveBeenCalledTimes(1);
    const ours = () => delays().slice(1); // the delays scheduleAt asked for, without the bare one

    scheduleAt(clock, env, at, callback);
    expect(clock.pending).toBe(1);
    await clock.advance(5 * DEADLINE_CHUNK_MS);
    expect(callback).not.toHaveBeenCalled();
    expect(clock.pending).toBe(1);
    expect(ours()).toEqual([DEADLINE_CHUNK_MS, DEADLINE_CHUNK_MS, DEADLINE_CHUNK_MS, DEADLINE_CHUNK_MS, DEADLINE_CHUNK_MS, DEADLINE_CHUNK_MS]);

    // Skip most of the month without firing timers, then let the last chunks run.
    clock.jump(at - clock.now() - 45_000);
    await clock.advance(45_000 - 1);
    expect(callback).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.now()).toBe(at);
    expect(Math.max(...ours())).toBeLessThanOrEqual(DEADLINE_CHUNK_MS);
    expect(clock.pending).toBe(0);
  });

  it.each([
    ['visibilitychange on document', (env: FakeEnvironment) => env.wake()],
    ['focus on window', (env: FakeEnvironment) => env.window.dispatchEvent(new Event('focus'))],
    ['online on window', (env: FakeEnvironment) => env.goOnline()],
    ['pageshow on window', (env: FakeEnvironment) => env.window.dispatchEvent(new Event('pageshow'))],
  ])('after a sleep (clock.jump), %s fires at once when the deadline has passed', async (_name, wake) => {
    const { clock, env, callback } = setup();
    scheduleAt(clock, env, clock.now() + 10 * 60_000, callback);
    clock.jump(11 * 60_000); // the laptop slept: no timer ran
    expect(callback).not.toHaveBeenCalled();
    wake(env);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.pending).toBe(0);
    expect(env.listeners).toBe(0);
  });

  it('a wake-up before the deadline re-arms instead of firing, keeping one timer', async () => {
    const { clock, env, callback, delays } = setup();
    const at = clock.now() + 10 * 60_000;
    scheduleAt(clock, env, at, callback);
    clock.jump(9 * 60_000 + 50_000); // 10 s left
    env.wake();
    expect(callback).not.toHaveBeenCalled();
    expect(clock.pending).toBe(1);
    expect(delays().at(-1)).toBe(10_000);
    await clock.advance(10_000);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.now()).toBe(at);
  });

  it('ignores events it does not listen to (offline, a click)', () => {
    const { clock, env, callback } = setup();
    scheduleAt(clock, env, clock.now() + 1_000, callback);
    clock.jump(5_000);
    env.goOffline();
    env.window.dispatchEvent(new Event('click'));
    env.document.dispatchEvent(new Event('focus'));
    expect(callback).not.toHaveBeenCalled();
  });

  it('listens to focus, online, pageshow on window and visibilitychange on document while armed', () => {
    const { clock, env, callback } = setup();
    expect(env.listeners).toBe(0);
    scheduleAt(clock, env, clock.now() + 60_000, callback);
    expect(env.window.listeners).toBe(3);
    expect(env.document.listeners).toBe(1);
  });

  it('cancel removes every timer and listener, and the callback never runs', async () => {
    const { clock, env, callback } = setup();
    const cancel = scheduleAt(clock, env, clock.now() + 2 * DEADLINE_CHUNK_MS, callback);
    await clock.advance(DEADLINE_CHUNK_MS); // cancel while re-armed, not only the first timer
    cancel();
    expect(clock.pending).toBe(0);
    expect(env.listeners).toBe(0);
    clock.jump(DAY_MS);
    env.wake();
    env.window.dispatchEvent(new Event('focus'));
    await clock.advance(DAY_MS);
    expect(callback).not.toHaveBeenCalled();
  });

  it('cancel is idempotent, also after firing', async () => {
    const { clock, env, callback } = setup();
    const cancel = scheduleAt(clock, env, clock.now() + 100, callback);
    await clock.advance(100);
    expect(callback).toHaveBeenCalledTimes(1);
    cancel();
    cancel();
    expect(env.listeners).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('fires exactly once, whatever happens after', async () => {
    const { clock, env, callback } = setup();
    scheduleAt(clock, env, clock.now() + 1_000, callback);
    clock.jump(2_000);
    env.wake();
    env.window.dispatchEvent(new Event('focus'));
    env.goOnline();
    env.window.dispatchEvent(new Event('pageshow'));
    await clock.advance(10 * DEADLINE_CHUNK_MS);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(env.listeners).toBe(0);
  });

  it('a wake-up inside the callback does not fire it again', async () => {
    const { clock, env } = setup();
    const callback = vi.fn(() => env.wake());
    scheduleAt(clock, env, clock.now() + 1_000, callback);
    await clock.advance(1_000);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['in the past', -60_000],
    ['exactly now', 0],
    ['a year ago', -365 * DAY_MS],
  ])('a deadline %s fires through a timer, not synchronously', async (_name, offset) => {
    const { clock, env, callback, delays } = setup();
    const cancel = scheduleAt(clock, env, clock.now() + offset, callback);
    expect(callback).not.toHaveBeenCalled();
    expect(typeof cancel).toBe('function');
    expect(delays()).toEqual([0]);
    await clock.advance(0);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.pending).toBe(0);
    expect(env.listeners).toBe(0);
  });

  it('a past deadline cancelled before its timer ran never fires', async () => {
    const { clock, env, callback } = setup();
    const cancel = scheduleAt(clock, env, clock.now() - 1, callback);
    cancel();
    await clock.advance(1_000);
    expect(callback).not.toHaveBeenCalled();
  });

  it('the callback may call its own cancel', async () => {
    const { clock, env } = setup();
    let cancel = (): void => {};
    const callback = vi.fn(() => cancel());
    cancel = scheduleAt(clock, env, clock.now() + 10, callback);
    await clock.advance(10);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(clock.pending).toBe(0);
  });

  it('works without window and document (server-side rendering): timers only', async () => {
    const clock = new FakeClock();
    const env: Environment = { isOnline: () => true };
    const callback = vi.fn();
    const cancel = scheduleAt(clock, env, clock.now() + DEADLINE_CHUNK_MS + 1, callback);
    await clock.advance(DEADLINE_CHUNK_MS + 1);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(() => cancel()).not.toThrow();
  });
});
