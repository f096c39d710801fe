import { describe, expect, it, vi } from 'vitest';
import type { GetTokenContext } from '../../../src/core/auth.js';
import { ApiRtcAuthError } from '../../../src/core/errors.js';
import { API_KEY, setupEngine, signToken, signTokenNow, USER_ID } from '../../support/engine.js';

const networkError = { code: 5, error: new Error('[object Object]') };

describe('SessionEngine: failures and recovery', () => {
  it('gives register() its own timeout and retries on a new UserAgent', async () => {
    const { engine, sdk, clock, events } = setupEngine();
    sdk.outcomes.push({ kind: 'hang' });
    engine.start();
    await clock.advance(14_999);
    expect(engine.getSnapshot().status).toBe('registering');
    await clock.advance(1);
    expect(engine.getSnapshot()).toMatchObject({ status: 'retrying', error: { code: 'REGISTER_TIMEOUT', retryable: true } });
    await clock.advance(750); // 1000 ms base, equal jitter with random 0.5
    expect(engine.getSnapshot().status).toBe('registered');
    expect(sdk.userAgents).toHaveLength(2);
    expect(events).toContainEqual(expect.objectContaining({ type: 'user-agent-released' }));
  });

  it('fails at once when the SDK cannot load its socket script (instead of hanging), then recovers', async () => {
    const { engine, sdk, clock } = setupEngine();
    sdk.outcomes.push({ kind: 'script-error' });
    engine.start();
    await clock.advance(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'retrying', error: { code: 'REGISTER_FAILED' } });
    await clock.advance(750);
    expect(engine.getSnapshot().status).toBe('registered');
    expect(sdk.userAgents).toHaveLength(2);
    // The failed attempt's register timeout went with it: no timer is left (apiKey mode: nothing to renew).
    expect(clock.pending).toBe(0);
  });

  it('backs off exponentially with jitter, capped', async () => {
    const { engine, sdk, clock, events } = setupEngine({ retry: { baseDelayMs: 1_000, maxDelayMs: 4_000 } });
    sdk.outcomes.push(...Array.from({ length: 5 }, () => ({ kind: 'reject' as const, error: networkError })));
    engine.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await clock.advance(0);
      const { retryAt } = engine.getSnapshot();
      delays.push((retryAt as number) - clock.now());
      await clock.advance(retryAt as number - clock.now());
    }
    expect(delays).toEqual([750, 1_500, 3_000, 3_000, 3_000]);
    expect(engine.getSnapshot().status).toBe('registered');
    expect(events.filter((e) => e.type === 'retry-scheduled').map((e) => (e.type === 'retry-scheduled' ? e.attempt : 0))).toEqual([1, 2, 3, 4, 5]);
  });

  it('a retry that comes due after going offline waits for `online` instead of burning an attempt', async () => {
    const { engine, sdk, clock, env } = setupEngine();
    sdk.outcomes.push({ kind: 'reject', error: networkError });
    engine.start();
    await clock.advance(0);
    expect(engine.getSnapshot().retryAt).toBeDefined(); // scheduled while online
    env.goOffline();
    await clock.advance(60_000);
    expect(sdk.registerCalls).toHaveLength(1);
    expect(engine.getSnapshot()).toMatchObject({ status: 'retrying', retryAt: undefined });
    env.goOnline();
    await clock.advance(0);
    expect(engine.getSnapshot().status).toBe('registered');
    expect(sdk.registerCalls).toHaveLength(2);
  });

  it('waits while offline and goes again on `online`', async () => {
    const { engine, sdk, clock, env } = setupEngine();
    env.online = false;
    sdk.outcomes.push({ kind: 'reject', error: networkError });
    engine.start();
    await clock.advance(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'retrying', retryAt: undefined });
    expect(clock.pending).toBe(0);
    await clock.advance(3_600_000);
    expect(sdk.registerCalls).toHaveLength(1);
    env.goOnline();
    await clock.advance(0);
    expect(engine.getSnapshot().status).toBe('registered');
    expect(env.listeners).toBe(0);
  });

  it('stops at once on a wrong password: UNAUTHORIZED, not retried, the action rejects', async () => {
    const { engine, sdk, clock, leftovers } = setupEngine({ auth: { mode: 'login', login: 'bob', password: 'wrong' } });
    const refusal = Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 });
    sdk.outcomes.push({ kind: 'reject', error: refusal });
    await expect(engine.register()).rejects.toMatchObject({ code: 'UNAUTHORIZED', retryable: false, cause: refusal });
    await clock.advance(600_000);
    expect(sdk.registerCalls).toHaveLength(1);
    expect(engine.getSnapshot()).toMatchObject({ status: 'error', session: undefined });
    expect(leftovers()).toEqual({ timers: 0, windowListeners: 0, uaListeners: 0 });
    // The UserAgent never had a session: unregistering it would only make the SDK log an error.
    expect(sdk.lastUserAgent.unregisterCalls).toBe(0);
  });

  it('a refused token gets one fresh token; refused again, it stops with UNAUTHORIZED', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    const getToken = vi.fn(async (_context: GetTokenContext) => signTokenNow(clock));
    sdk.refuse = () => 'signature verification failed';
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken } });
    const error = await engine.register().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('signature verification failed') });
    expect(getToken.mock.calls.map(([context]) => context.reason)).toEqual(['initial', 'refused']);
    expect(sdk.registerCalls).toHaveLength(2);
  });

  it('a refused token followed by an accepted fresh one registers', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    sdk.refuse = vi.fn().mockReturnValueOnce('jwt expired').mockReturnValue(undefined);
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => signTokenNow(clock) } });
    await engine.register();
    expect(engine.getSnapshot().status).toBe('registered');
  });

  it('a kick (disconnected, no reconnect) is re-registered on a new UserAgent after the reconnect timeout', async () => {
    const { engine, sdk, clock } = setupEngine({ reconnectTimeoutMs: 10_000 });
    await engine.register();
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'disconnected' });
    expect(engine.getSnapshot().status).toBe('reconnecting');
    await clock.advance(10_000);
    expect(engine.getSnapshot().status).toBe('registered');
    expect(sdk.userAgents).toHaveLength(2);
    expect(sdk.liveSessions).toHaveLength(1);
  });

  it('a network drop that the SDK reconnects keeps the session and the UserAgent', async () => {
    const { engine, sdk, clock, statuses } = setupEngine();
    const session = await engine.register();
    sdk.lastUserAgent.drop();
    expect(engine.getSnapshot()).toMatchObject({ status: 'reconnecting', session });
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'connected' });
    await clock.advance(60_000);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session });
    expect(sdk.userAgents).toHaveLength(1);
    expect(statuses()).toEqual(['registering', 'registered', 'reconnecting', 'registered']);
  });

  it('a failed SDK chunk load is SDK_LOAD_FAILED and retried', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    const load = vi.fn().mockRejectedValueOnce(new Error('chunk failed')).mockImplementation(sdk.load);
    engine.setOptions({ ...options, loadSdk: load });
    engine.start();
    await clock.advance(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'retrying', error: { code: 'SDK_LOAD_FAILED' } });
    await clock.advance(750);
    expect(engine.getSnapshot().status).toBe('registered');
  });

  it('a renewal whose unregister() hangs replaces the UserAgent and still ends with one session', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => signTokenNow(clock) } });
    await engine.register();
    sdk.unregisterBehaviour = 'hang';
    const renewed = engine.renew();
    await clock.advance(15_000);
    sdk.unregisterBehaviour = 'ok';
    await renewed;
    expect(sdk.userAgents).toHaveLength(2);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', userAgent: sdk.lastUserAgent });
  });

  it('a register() that throws synchronously fails that attempt only: the next session is not torn down later', async () => {
    const { engine, sdk, clock } = setupEngine();
    sdk.outcomes.push({ kind: 'throw', error: new TypeError('boom') });
    engine.start();
    await clock.advance(750);
    const session = engine.getSnapshot().session;
    expect(engine.getSnapshot().status).toBe('registered');
    await clock.advance(60_000); // past the first attempt's register timeout
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session });
    expect(sdk.liveSessions).toEqual([session]);
  });

  it('backoff starts again after unregister()', async () => {
    const { engine, sdk, clock } = setupEngine();
    sdk.outcomes.push(...Array.from({ length: 3 }, () => ({ kind: 'reject' as const, error: networkError })));
    engine.start();
    await clock.advance(0);
    await clock.advance(750);
    expect((engine.getSnapshot().retryAt as number) - clock.now()).toBe(1_500);
    await engine.unregister();
    engine.start();
    await clock.advance(0);
    expect((engine.getSnapshot().retryAt as number) - clock.now()).toBe(750);
    await engine.unregister();
  });

  it('a getToken that throws a non-retryable ApiRtcAuthError stops at once; any other throw is retried', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    let signedOut = false;
    const getToken = vi.fn(async () => {
      if (signedOut) throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'signed out', { retryable: false });
      throw new TypeError('Failed to fetch');
    });
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken } });
    engine.start();
    await clock.advance(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'retrying', error: { code: 'TOKEN_SOURCE_FAILED', retryable: true } });
    signedOut = true;
    await clock.advance(60_000);
    expect(engine.getSnapshot()).toMatchObject({ status: 'error', error: { message: 'signed out', retryable: false } });
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(sdk.registerCalls).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });

  it('unregister() rejects with UNREGISTER_FAILED when the SDK fails to unregister, and still ends idle', async () => {
    const { engine, sdk, leftovers } = setupEngine();
    await engine.register();
    sdk.unregisterBehaviour = 'reject';
    await expect(engine.unregister()).rejects.toMatchObject({ code: 'UNREGISTER_FAILED' });
    expect(engine.getSnapshot()).toMatchObject({ status: 'idle', session: undefined });
    expect(leftovers()).toEqual({ timers: 0, windowListeners: 0, uaListeners: 0 });
  });

  it('no secret reaches events, state or errors', async () => {
    const password = 'p4ssw0rd-do-not-leak';
    const { options, engine, sdk, events, clock } = setupEngine({ auth: { mode: 'login', login: 'bob', password } });
    sdk.outcomes.push({ kind: 'reject', error: Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 }) });
    await engine.register().catch(() => {});
    const token = await signToken(clock);
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => token } });
    await engine.register();
    await engine.renew();
    // The Session and UserAgent are the SDK's own objects (they hold the token by design); the rest is ours.
    const { session: _session, userAgent: _userAgent, ...state } = engine.getSnapshot();
    const seen = JSON.stringify({ events, state }, (_key, value: unknown) =>
      value instanceof Error ? { ...value, message: value.message } : value,
    );
    expect(seen).not.toContain(password);
    expect(seen).not.toContain(token);
    expect(seen).toContain('UNAUTHORIZED');
  });
});
