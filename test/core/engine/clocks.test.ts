/**
 * Clocks that are wrong or jump: the renewal timer fires when either the wall clock or the monotonic clock says
 * it is due.
 */
import { describe, expect, it, vi } from 'vitest';
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

const HOUR = 3_600_000;

describe('SessionEngine: a device clock far off the server\'s', () => {
  /** A token server whose clock is the device's minus `skew`, handing out fresh tokens of `lifetime` seconds. */
  function serverAt(clock: { now(): number }, skew: number, lifetime = 3600) {
    const issued: number[] = [];
    const sign = () => {
      const serverNow = clock.now() - skew;
      issued.push(serverNow);
      return signTokenNow(clock as never, { expiresIn: lifetime, now: serverNow });
    };
    const serverExp = (i: number) => (issued[i] as number) - ((issued[i] as number) % 1000) + lifetime * 1000;
    return { sign, issued, serverExp, serverNow: () => clock.now() - skew };
  }

  for (const skew of [24 * HOUR, 2 * HOUR, 90_000, 60_000, -60_000, -2 * HOUR, -24 * HOUR]) {
    const label = `${skew > 0 ? 'ahead' : 'behind'} by ${Math.abs(skew) / 60_000} min`;

    it(`getToken, device clock ${label}: registers, and every renewal comes before exp by the server's clock`, async () => {
      const { options, engine, clock, events } = setupEngine();
      const server = serverAt(clock, skew, 60);
      engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => server.sign() } });
      await engine.register();
      expect(engine.getSnapshot().status).toBe('registered');
      for (let round = 0; round < 4; round += 1) {
        const { expiresAt } = engine.getSnapshot();
        const before = events.filter((event) => event.type === 'registered').length;
        await clock.advance((engine.getSnapshot().renewAt as number) - clock.now());
        expect(events.filter((event) => event.type === 'registered').length, `renewal ${round}`).toBe(before + 1);
        // The renewal happened before the previous token's exp, on the server's clock; expiresAt said when on ours.
        const previousExp = server.serverExp(server.issued.length - 2);
        expect(server.serverNow()).toBeLessThan(previousExp);
        expect(Math.abs((expiresAt as number) - (previousExp + skew)), 'expiresAt on the device clock').toBeLessThanOrEqual(1_000);
      }
      expect(engine.getSnapshot().error).toBeUndefined();
      expect(events.some((event) => event.type === 'error')).toBe(false);
    });

    it(`tokenUrl, device clock ${label}: timed on the endpoint's Date header, no extra fetch`, async () => {
      const { options, engine, clock } = setupEngine();
      const server = serverAt(clock, skew, 60);
      const fetchStub = vi.fn(async () => {
        const token = server.sign();
        return Response.json({ token, userId: USER_ID, expiresAt: 0 }, { headers: { date: new Date(server.serverNow()).toUTCString() } });
      });
      engine.setOptions({ ...options, fetch: fetchStub, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, tokenUrl: 'http://127.0.0.1:9/token' } });
      await engine.register();
      expect(fetchStub).toHaveBeenCalledTimes(1);
      // expiresAt is the token's exp on this device's clock, to the Date header's second.
      expect(Math.abs((engine.getSnapshot().expiresAt as number) - (server.serverExp(0) + skew))).toBeLessThanOrEqual(1_500);
      await clock.advance((engine.getSnapshot().renewAt as number) - clock.now());
      expect(fetchStub).toHaveBeenCalledTimes(2);
      expect(server.serverNow()).toBeLessThan(server.serverExp(0));
    });
  }

  it('a token endpoint that hands out a really expired token, by its own Date header: TOKEN_EXPIRED after one refetch', async () => {
    const { options, engine, clock, sdk } = setupEngine();
    const stale = signTokenNow(clock, { expiresIn: 60, now: clock.now() - 2 * HOUR });
    const fetchStub = vi.fn(async () => Response.json({ token: stale, userId: USER_ID, expiresAt: 0 }, { headers: { date: new Date(clock.now()).toUTCString() } }));
    engine.setOptions({ ...options, fetch: fetchStub, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, tokenUrl: 'http://127.0.0.1:9/token' } });
    await expect(engine.register()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', message: expect.stringContaining("by the server's clock (the token endpoint's Date header)") });
    expect(fetchStub).toHaveBeenCalledTimes(2);
    expect(sdk.registerCalls).toHaveLength(0);
  });

  it('getToken handing out the same expired token again is a stale source, not a clock: TOKEN_EXPIRED', async () => {
    const { options, engine, clock, sdk } = setupEngine();
    const stale = signTokenNow(clock, { expiresIn: 60, now: clock.now() - 2 * HOUR });
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => stale } });
    await expect(engine.register()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(sdk.registerCalls).toHaveLength(0);
  });

  it('a clock learned once is kept: the next renewal needs one fetch, not two', async () => {
    const { options, engine, clock } = setupEngine();
    const server = serverAt(clock, 2 * HOUR, 60);
    const getToken = vi.fn(async () => server.sign());
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken } });
    await engine.register();
    expect(getToken).toHaveBeenCalledTimes(2); // the first read as expired; the refetch showed the clock is off
    await clock.advance((engine.getSnapshot().renewAt as number) - clock.now());
    expect(getToken).toHaveBeenCalledTimes(3);
  });
});
