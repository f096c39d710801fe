import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import type { GetTokenContext, TokenReason } from '../../../src/core/auth.js';
import { API_KEY, SECRET, setupEngine, signToken, signTokenNow, USER_ID } from '../../support/engine.js';
import type { FakeClock } from '../../support/fake-clock.js';

/** getToken that signs a fresh token on the fake clock each time, recording why it was asked. */
function tokenSource(clock: FakeClock, expiresIn = 60) {
  const reasons: TokenReason[] = [];
  const getToken = vi.fn(async ({ reason }: GetTokenContext) => {
    reasons.push(reason);
    return signTokenNow(clock, { expiresIn });
  });
  return { getToken, reasons };
}

const jwtAuth = (getToken: (context: GetTokenContext) => Promise<string>) => ({ mode: 'jwt' as const, apiKey: API_KEY, userId: USER_ID, getToken });

describe('SessionEngine: renewal before expiry', () => {
  it('renews a 60 s token at expiry - lead - jitter on the same UserAgent: registered -> renewing -> registered', async () => {
    const { options, engine, sdk, clock, statuses } = setupEngine();
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    const first = await engine.register();
    const start = clock.now();
    // lead = 60 s / 5 = 12 s, jitter = 0.5 * 12 s * random(0.5) = 3 s
    expect(engine.getSnapshot()).toMatchObject({ expiresAt: start + 60_000, renewAt: start + 45_000 });

    await clock.advance(44_999);
    expect(reasons).toEqual(['initial']);
    await clock.advance(1);
    expect(reasons).toEqual(['initial', 'renew']);
    const second = engine.getSnapshot().session;
    expect(second).not.toBe(first);
    expect(sdk.liveSessions).toEqual([second]);
    expect(sdk.userAgents).toHaveLength(1);
    expect(sdk.registerCalls[1]?.options.token).not.toBe(sdk.registerCalls[0]?.options.token);
    expect(statuses()).toEqual(['registering', 'registered', 'renewing', 'registered']);
    expect(engine.getSnapshot().renewAt).toBe(clock.now() + 45_000);
  });

  it('keeps renewing, token after token, and never lets one expire', async () => {
    const { options, engine, sdk, clock, events } = setupEngine();
    const { getToken } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    for (let i = 0; i < 10; i += 1) {
      const { expiresAt } = engine.getSnapshot();
      await clock.advance(46_000);
      expect(clock.now()).toBeLessThan(expiresAt as number);
    }
    expect(events.filter((e) => e.type === 'registered')).toHaveLength(11);
    expect(sdk.liveSessions).toHaveLength(1);
  });

  it('handles a 30-day token: no early fire from setTimeout overflow, renews once near the end', async () => {
    const { options, engine, clock } = setupEngine();
    const days30 = 30 * 86_400;
    const { getToken, reasons } = tokenSource(clock, days30);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    const { expiresAt, renewAt } = engine.getSnapshot();
    // default lead is capped at 5 minutes, plus up to half of it as jitter
    expect(renewAt).toBe((expiresAt as number) - 5 * 60_000 - 75_000);
    await clock.advance(60_000);
    expect(reasons).toEqual(['initial']);
    expect(clock.pending).toBe(1); // one chunk timer, nothing more

    clock.jump((renewAt as number) - clock.now() - 40_000);
    await clock.advance(30_000);
    expect(reasons).toEqual(['initial']);
    await clock.advance(30_000);
    expect(reasons).toEqual(['initial', 'renew']);
  });

  it('renews on wake-up after a sleep that skipped the deadline (visibilitychange re-reads the clock)', async () => {
    const { options, engine, clock, env } = setupEngine();
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    clock.jump(5 * 60_000); // asleep past expiry; no timer ran
    env.wake();
    await clock.advance(0);
    expect(reasons).toEqual(['initial', 'renew']);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', expiresAt: clock.now() + 60_000 });
  });

  it('never renews a token without exp on a timer', async () => {
    const { options, engine, clock } = setupEngine();
    const getToken = vi.fn(async () =>
      new SignJWT({ grants: { apiRTC_UserAgent_Id: USER_ID } })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(API_KEY)
        .setAudience('apiRTC')
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .sign(new TextEncoder().encode(SECRET)),
    );
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', expiresAt: undefined, renewAt: undefined });
    expect(clock.pending).toBe(0);
    await clock.advance(365 * 86_400_000);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('does not renew a literal token on a timer; a new token prop renews on the same UserAgent', async () => {
    const { options, engine, sdk, clock, statuses } = setupEngine();
    const auth = { mode: 'jwt' as const, apiKey: API_KEY, userId: USER_ID, token: await signToken(clock) };
    engine.setOptions({ ...options, auth });
    await engine.register();
    expect(engine.getSnapshot()).toMatchObject({ expiresAt: clock.now() + 60_000, renewAt: undefined });
    expect(clock.pending).toBe(0);

    const token = await signToken(clock);
    engine.setOptions({ ...options, auth: { ...auth, token } });
    await clock.advance(0);
    expect(sdk.registerCalls.map((call) => call.options.token)).toEqual([auth.token, token]);
    expect(sdk.userAgents).toHaveLength(1);
    expect(statuses()).toEqual(['registering', 'registered', 'renewing', 'registered']);
  });

  it('an expired token from the source gets exactly one refetch', async () => {
    const { options, engine, clock } = setupEngine();
    const expired = await signToken(clock, { now: () => clock.now() - 3_600_000 });
    const getToken = vi.fn().mockResolvedValueOnce(expired).mockResolvedValueOnce(await signToken(clock));
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    expect(getToken.mock.calls.map(([context]) => (context as GetTokenContext).reason)).toEqual(['initial', 'expired']);
  });

  it('a source that keeps handing out expired tokens ends in TOKEN_EXPIRED after one refetch, not a loop', async () => {
    const { options, engine, clock, sdk } = setupEngine();
    const expired = await signToken(clock, { now: () => clock.now() - 3_600_000 });
    const getToken = vi.fn().mockResolvedValue(expired);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await expect(engine.register()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED', retryable: false });
    await clock.advance(600_000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(sdk.registerCalls).toHaveLength(0);
    expect(engine.getSnapshot().status).toBe('error');
  });

  it('defers renewal while the session has conversations, then renews when they end', async () => {
    const { options, engine, clock, events } = setupEngine({ renewal: { deferWhileInConversation: true } });
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    const session = engine.getSnapshot().session as unknown as { conversations: Record<string, unknown> };
    session.conversations = { standup: {} };
    await clock.advance(45_000);
    expect(reasons).toEqual(['initial']);
    expect(events.some((e) => e.type === 'renewal-deferred')).toBe(true);
    session.conversations = {};
    await clock.advance(5_000);
    expect(reasons).toEqual(['initial', 'renew']);
  });

  it('a deferred renewal still happens at the hard deadline before expiry', async () => {
    const { options, engine, clock } = setupEngine({ renewal: { deferWhileInConversation: true } });
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    const { expiresAt } = engine.getSnapshot();
    const session = engine.getSnapshot().session as unknown as { conversations: Record<string, unknown> };
    session.conversations = { call: {} };
    // hard deadline: expiry - min(15 s, lead 12 s)
    await clock.advance((expiresAt as number) - 12_000 - clock.now() - 1);
    expect(reasons).toEqual(['initial']);
    await clock.advance(1);
    expect(reasons).toEqual(['initial', 'renew']);
  });

  it('a renewal whose token request fails keeps the current session and retries', async () => {
    const { options, engine, clock, sdk } = setupEngine();
    let fail = false;
    const getToken = vi.fn(async () => {
      if (fail) throw new TypeError('Failed to fetch');
      return signTokenNow(clock);
    });
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    const first = await engine.register();
    fail = true;
    await clock.advance(45_000);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session: first, error: { code: 'TOKEN_SOURCE_FAILED' } });
    expect(engine.getSnapshot().renewAt).toBe(clock.now() + 750); // the retried renewal, not the past one
    fail = false;
    await clock.advance(1_000);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', error: undefined });
    expect(engine.getSnapshot().session).not.toBe(first);
    expect(sdk.liveSessions).toHaveLength(1);
  });

  it('when the cloud refuses a reconnect after expiry (a sleep), registers a new UserAgent with a fresh token', async () => {
    const { options, engine, clock, sdk, leftovers } = setupEngine();
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    const old = sdk.lastUserAgent;
    old.emit('ccsConnectionStatus', { status: 'disconnected' });
    clock.jump(61_000); // asleep past expiry; the SDK's reconnect is refused on wake-up
    old.emit('ccsConnectionStatus', { status: 'error' });
    await clock.advance(0);
    expect(reasons).toEqual(['initial', 'expired']); // said as it happened: the token expired during the sleep
    expect(sdk.userAgents).toHaveLength(2);
    expect(old.unregisterCalls).toBe(1);
    expect(old.listenerCount()).toBe(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', userAgent: sdk.lastUserAgent });
    await engine.unregister();
    expect(leftovers()).toEqual({ timers: 0, windowListeners: 0, uaListeners: 0 });
  });

  it('a connection error with a valid token is left to the SDK: reconnected, nothing is replaced', async () => {
    const { options, engine, clock, sdk } = setupEngine();
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    const session = await engine.register();
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'error' });
    expect(engine.getSnapshot().status).toBe('reconnecting');
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'retry' });
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'connected' });
    await clock.advance(30_000);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session });
    expect(reasons).toEqual(['initial']);
    expect(sdk.userAgents).toHaveLength(1);
  });

  it('a connection error followed by silence (a refusal before expiry) recovers with a fresh token after the reconnect timeout', async () => {
    const { options, engine, clock, sdk } = setupEngine({ reconnectTimeoutMs: 5_000 });
    const { getToken, reasons } = tokenSource(clock);
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'error' });
    await clock.advance(4_999);
    expect(reasons).toEqual(['initial']);
    await clock.advance(1);
    expect(reasons).toEqual(['initial', 'refused']);
    expect(sdk.userAgents).toHaveLength(2);
    expect(engine.getSnapshot().status).toBe('registered');
  });

});
