/**
 * Clocks that are wrong or jump: the renewal timer fires when either the wall clock or the monotonic clock says
 * it is due.
 */
import { describe, expect, it } from 'vitest';
import { API_KEY, setupEngine, signTokenNow, USER_ID } from '../../support/engine.js';

describe('SessionEngine: a clock that jumps', () => {
  it('a wall clock set back 1 h after registering still renews before exp (on elapsed time)', async () => {
    const { options, engine, clock, events } = setupEngine();
    let issued = 0;
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => (issued++, signTokenNow(clock, { expiresIn: 60 })) } });
    await engine.register();
    expect(engine.getSnapshot().renewAt).toBe(clock.now() + 45_000);
    clock.jump(-3_600_000);
    await clock.advance(45_000); // the token's exp is 60 s after it was issued, whatever the wall clock reads now
    expect(issued).toBe(2);
    expect(events.filter((event) => event.type === 'registered')).toHaveLength(2);
  });
});
