/**
 * Events that overlap: a connection event, an unregister() or a failure arriving while a renewal
 * or a register() is in flight. Each once left a session, a timer or the status wrong.
 */
import { describe, expect, it, vi } from 'vitest';
import type { GetTokenContext, JwtAuth } from '../../../src/core/auth.js';
import { ApiRtcAuthError } from '../../../src/core/errors.js';
import { API_KEY, setupEngine, signTokenNow, USER_ID } from '../../support/engine.js';
import type { FakeSession } from '../../support/fake-sdk.js';

const jwtAuth = (getToken: (context: GetTokenContext) => Promise<string>) => ({ mode: 'jwt' as const, apiKey: API_KEY, userId: USER_ID, getToken });

describe('SessionEngine: overlapping events', () => {
  it('a socket drop while the renewal fetches its token does not tear down the renewed session later', async () => {
    const { options, engine, sdk, clock, events } = setupEngine();
    let release: (() => void) | undefined;
    let calls = 0;
    const getToken = vi.fn(async () => {
      calls += 1;
      if (calls === 2) await new Promise<void>((resolve) => (release = resolve)); // the renewal's fetch is slow
      return signTokenNow(clock);
    });
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    await clock.advance(45_000); // renewal due: its token fetch is in flight, the old session still live
    expect(engine.getSnapshot().status).toBe('renewing');
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'disconnected' });
    release?.();
    await clock.advance(0);
    const renewed = engine.getSnapshot().session;
    expect(engine.getSnapshot().status).toBe('registered');
    await clock.advance(20_000); // reconnectTimeoutMs: the drop was the old session's, not this one's
    expect(events.filter((event) => event.type === 'user-agent-released')).toEqual([]);
    expect(sdk.userAgents).toHaveLength(1);
    expect(engine.getSnapshot().session).toBe(renewed);
  });

  it('start() after a failure that won\'t pass registers again instead of showing `registering` forever', async () => {
    const { engine, sdk, clock } = setupEngine({ auth: { mode: 'login', login: 'bob', password: 'wrong' } });
    sdk.outcomes.push({ kind: 'reject', error: Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 }) });
    await engine.register().catch(() => {});
    expect(engine.getSnapshot().status).toBe('error');
    engine.start();
    await clock.advance(0);
    expect(sdk.registerCalls).toHaveLength(2);
    expect(engine.getSnapshot().status).toBe('registered');
  });

  it('a new attempt waits for a superseded register() still in flight, so two sessions never overlap', async () => {
    const { engine, sdk, flush, events } = setupEngine();
    const first = sdk.manual();
    engine.start();
    await flush();
    engine.stop();
    await flush();
    const second = sdk.manual();
    engine.start();
    await flush();
    expect(sdk.registerCalls).toHaveLength(1);
    first.settle('ok'); // the stale session arrives: unregistered at once, then the new attempt goes
    await flush();
    expect(events.some((event) => event.type === 'stale-session-unregistered')).toBe(true);
    expect(sdk.registerCalls).toHaveLength(2);
    expect(sdk.liveSessions).toEqual([]);
    second.settle('ok');
    await flush();
    expect(engine.getSnapshot().status).toBe('registered');
    expect(sdk.liveSessions).toHaveLength(1);
  });

  it('a superseded register() that hangs delays the next attempt by its own timeout at most', async () => {
    const { engine, sdk, clock, leftovers } = setupEngine({ registerTimeoutMs: 15_000 });
    sdk.outcomes.push({ kind: 'hang' });
    engine.start();
    await clock.advance(5_000);
    engine.stop();
    engine.start();
    await clock.advance(9_999);
    expect(sdk.registerCalls).toHaveLength(1);
    await clock.advance(1);
    expect(sdk.registerCalls).toHaveLength(2);
    expect(engine.getSnapshot().status).toBe('registered');
    await engine.unregister();
    await clock.advance(15_000);
    expect(leftovers()).toEqual({ timers: 0, windowListeners: 0, uaListeners: 0 });
  });

  it('unregister() during a renewal\'s unregister does not call ua.unregister() a second time', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    engine.setOptions({ ...options, auth: jwtAuth(async () => signTokenNow(clock)) });
    await engine.register();
    sdk.unregisterBehaviour = 'hang';
    void engine.renew().catch(() => {});
    await clock.advance(0); // the renewal waits on ua.unregister()
    expect(sdk.lastUserAgent.unregisterCalls).toBe(1);
    const done = engine.unregister().catch((error: unknown) => error);
    await clock.advance(0);
    expect(sdk.lastUserAgent.unregisterCalls).toBe(1);
    await clock.advance(15_000);
    expect(await done).toMatchObject({ code: 'UNREGISTER_FAILED' });
    expect(engine.getSnapshot().status).toBe('idle');
  });

  it('a renewal that fails for good after the old session ended leaves no stale expiry or UserAgent in state', async () => {
    const { options, engine, sdk, clock, flush } = setupEngine();
    engine.setOptions({ ...options, auth: jwtAuth(async () => signTokenNow(clock)) });
    await engine.register();
    sdk.refuse = () => 'signature verification failed';
    await engine.renew().catch(() => {});
    await flush(); // the refused UserAgent's unregister() settles
    const state = engine.getSnapshot();
    expect(state.status).toBe('error');
    expect({ renewAt: state.renewAt, expiresAt: state.expiresAt, userAgent: state.userAgent }).toEqual({
      renewAt: undefined,
      expiresAt: undefined,
      userAgent: undefined,
    });
    expect(clock.pending).toBe(0);
  });

  it('a renewal that fails while the socket is down keeps `reconnecting`, then renews once back online', async () => {
    const { options, engine, sdk, clock, env } = setupEngine();
    const getToken = async () => {
      if (!env.online) throw new TypeError('Failed to fetch');
      return signTokenNow(clock);
    };
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    await clock.advance(40_000);
    env.online = false;
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'disconnected' });
    expect(engine.getSnapshot().status).toBe('reconnecting');
    await clock.advance(5_000); // the renewal comes due while the socket is down, and its fetch fails
    expect(engine.getSnapshot()).toMatchObject({ status: 'reconnecting', error: { code: 'TOKEN_SOURCE_FAILED' } });
    env.goOnline();
    await clock.advance(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', error: undefined });
  });

  it('a renewal refused for good while the socket is down still lets the watchdog replace the UserAgent', async () => {
    const { options, engine, sdk, clock, events } = setupEngine({ reconnectTimeoutMs: 20_000 });
    let answer: 'token' | 'refuse' = 'token';
    const getToken = async () => {
      if (answer === 'refuse') throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'the token endpoint answered HTTP 403');
      return signTokenNow(clock);
    };
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    await engine.register();
    await clock.advance(40_000);
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'disconnected' });
    answer = 'refuse';
    await clock.advance(5_000); // renewal due: refused, the old session is kept
    expect(engine.getSnapshot()).toMatchObject({ status: 'reconnecting', renewAt: undefined, error: { code: 'TOKEN_SOURCE_FAILED' } });
    answer = 'token';
    await clock.advance(20_000); // the SDK never reconnected: a fresh token on a new UserAgent
    expect(events.filter((event) => event.type === 'user-agent-released').map((event) => event.type === 'user-agent-released' && event.reason)).toEqual([
      'the socket did not reconnect',
    ]);
    expect(sdk.userAgents).toHaveLength(2);
    expect(engine.getSnapshot().status).toBe('registered');
  });
});

describe('SessionEngine: counters, events and edge cases', () => {
  it('`token: undefined` beside getToken is no literal token: getToken is used', async () => {
    const { options, engine, clock } = setupEngine();
    const getToken = vi.fn(async () => signTokenNow(clock));
    // Spreading `token: props.token` into auth is common in JSX; validateAuth already ignored it.
    engine.setOptions({ ...options, auth: { ...jwtAuth(getToken), token: undefined } as unknown as JwtAuth });
    await engine.register();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(engine.getSnapshot().renewAt).toBeDefined(); // renewed on a timer, unlike a literal token
  });

  it('`getToken: undefined` and `token: undefined` beside tokenUrl: the endpoint is used', async () => {
    const { options, engine, clock } = setupEngine();
    const fetchStub = vi.fn(async () => Response.json({ token: signTokenNow(clock), userId: USER_ID, expiresAt: 0 }));
    const auth = { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, tokenUrl: 'http://127.0.0.1:9/token', getToken: undefined, token: undefined };
    engine.setOptions({ ...options, fetch: fetchStub, auth: auth as unknown as JwtAuth });
    await engine.register();
    expect(fetchStub).toHaveBeenCalledTimes(1);
  });

  it('renewAt follows a deferred renewal instead of staying in the past', async () => {
    const { options, engine, clock, events } = setupEngine({ renewal: { deferWhileInConversation: true } });
    engine.setOptions({ ...options, auth: jwtAuth(async () => signTokenNow(clock, { expiresIn: 3600 })) });
    await engine.register();
    (engine.getSnapshot().session as unknown as FakeSession).conversations = { call: {} };
    await clock.advance((engine.getSnapshot().renewAt as number) - clock.now() + 6_000);
    const deferred = events.filter((event) => event.type === 'renewal-deferred');
    expect(deferred).toHaveLength(2);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', renewAt: deferred.at(-1)?.type === 'renewal-deferred' ? deferred.at(-1)?.until : -1 });
    expect(engine.getSnapshot().renewAt as number).toBeGreaterThan(clock.now());
  });

  it('register() after a failure that won\'t pass starts afresh: backoff from the first delay', async () => {
    const { options, engine, clock } = setupEngine();
    let calls = 0;
    const getToken = vi.fn(async () => {
      calls += 1;
      if (calls <= 4 || calls === 6) throw new TypeError('Failed to fetch');
      if (calls === 5) throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'the token endpoint answered HTTP 403');
      return signTokenNow(clock);
    });
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    void engine.register().catch(() => {});
    await clock.advance(60_000);
    expect(engine.getSnapshot().status).toBe('error');
    void engine.register().catch(() => {}); // the user's "Try again"
    await clock.advance(0);
    expect((engine.getSnapshot().retryAt as number) - clock.now()).toBe(750);
  });

  it('register() after a refused token gets its one refetch again', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    const reasons: string[] = [];
    sdk.refuse = () => 'signature verification failed';
    engine.setOptions({ ...options, auth: jwtAuth(async ({ reason }) => (reasons.push(reason), signTokenNow(clock))) });
    await engine.register().catch(() => {});
    await engine.register().catch(() => {});
    expect(reasons).toEqual(['initial', 'refused', 'initial', 'refused']);
  });

  it('a refused reconnect gets one fresh token, and stops if that one is refused too', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    const reasons: string[] = [];
    engine.setOptions({ ...options, auth: jwtAuth(async ({ reason }) => (reasons.push(reason), signTokenNow(clock))) });
    await engine.register();
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'disconnected' });
    clock.jump(61_000); // asleep past exp
    sdk.refuse = () => 'jwt signature invalid';
    sdk.lastUserAgent.emit('ccsConnectionStatus', { status: 'error' });
    await clock.advance(0);
    expect(engine.getSnapshot().status).toBe('error');
    expect(reasons).toEqual(['initial', 'expired']);
  });

  it('unregister() resolves once the register() in flight has settled and its session is gone', async () => {
    const { engine, sdk, flush } = setupEngine();
    const registering = sdk.manual();
    engine.start();
    await flush();
    let resolved = false;
    const done = engine.unregister().then(() => (resolved = true));
    await flush();
    expect(resolved).toBe(false);
    registering.settle('ok');
    await done;
    expect(sdk.liveSessions).toEqual([]);
  });

  it('register() during a renewal that fails for good resolves with the kept session; renew() rejects', async () => {
    const { options, engine, clock, flush } = setupEngine();
    let refuse: (() => void) | undefined;
    const getToken = async () => {
      if (refuse) {
        await new Promise<void>((resolve) => (refuse = resolve));
        throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'the token endpoint answered HTTP 403');
      }
      return signTokenNow(clock);
    };
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    const session = await engine.register();
    refuse = () => {};
    const renewal = engine.renew();
    await flush();
    expect(engine.getSnapshot().status).toBe('renewing');
    const registration = engine.register(); // e.g. a "Connect" button pressed meanwhile
    refuse();
    await expect(renewal).rejects.toMatchObject({ code: 'TOKEN_SOURCE_FAILED' });
    await expect(registration).resolves.toBe(session);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session, error: { code: 'TOKEN_SOURCE_FAILED' } });
  });

  it('register() during a renewal that fails for now resolves with the kept session; renew() waits for the retry', async () => {
    const { options, engine, clock, env, flush } = setupEngine();
    let fail: (() => void) | undefined;
    const getToken = async () => {
      if (fail) {
        await new Promise<void>((resolve) => (fail = resolve));
        throw new TypeError('Failed to fetch');
      }
      return signTokenNow(clock, { expiresIn: 3600 });
    };
    engine.setOptions({ ...options, auth: jwtAuth(getToken) });
    const session = await engine.register();
    fail = () => {};
    let renewed = false;
    void engine.renew().then(() => (renewed = true), () => (renewed = true));
    await flush();
    expect(engine.getSnapshot().status).toBe('renewing');
    const registration = engine.register();
    env.online = false; // the retry waits for `online`
    fail();
    await expect(registration).resolves.toBe(session);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session, error: { code: 'TOKEN_SOURCE_FAILED' } });
    expect(renewed).toBe(false);
  });

  it('a registration waits for work that ends a session anywhere on the page; unregister() waits for its own only', async () => {
    const a = setupEngine({ registerTimeoutMs: 15_000 });
    const b = setupEngine({ loadSdk: a.sdk.load, environment: a.env }); // the same page, B's own clock
    a.sdk.outcomes.push({ kind: 'hang' });
    a.engine.start();
    await a.flush();
    a.engine.stop(); // A's hung register() is superseded: it holds the page until its timeout
    await a.flush();
    const first = b.engine.register().catch((error: unknown) => error);
    await b.flush();
    expect(a.sdk.registerCalls).toHaveLength(1); // B waits for A's register() to settle
    await b.engine.unregister(); // resolves without A's clock moving: B has nothing of its own to end
    expect(await first).toMatchObject({ code: 'ABORTED' });
    const registering = b.engine.register();
    await b.flush();
    expect(a.sdk.registerCalls).toHaveLength(1);
    await a.clock.advance(15_000);
    await registering;
    expect(a.sdk.registerCalls).toHaveLength(2);
    expect(a.sdk.liveSessions).toHaveLength(1);
    await b.engine.unregister();
  });

  it('the page is the environment\'s: a loader that wraps the SDK anew each time does not defeat the wait', async () => {
    const a = setupEngine({ registerTimeoutMs: 15_000 });
    // A new wrapper object per load, as test/support/leaks.ts's countingSdk makes: the page lock is not keyed by it.
    const b = setupEngine({ loadSdk: async () => ({ ...(await a.sdk.load()) }), environment: a.env });
    a.sdk.outcomes.push({ kind: 'hang' });
    a.engine.start();
    await a.flush();
    a.engine.stop();
    await a.flush();
    const registering = b.engine.register();
    await b.flush();
    expect(a.sdk.registerCalls).toHaveLength(1);
    await a.clock.advance(15_000);
    await registering;
    expect(a.sdk.registerCalls).toHaveLength(2);
    await b.engine.unregister();
  });

  it('a new tokenRequestInit (a rotating header) is used at the next token request without re-registering', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    const fetchStub = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => Response.json({ token: signTokenNow(clock), userId: USER_ID, expiresAt: 0 }));
    const auth = (header: string) => ({ mode: 'jwt' as const, apiKey: API_KEY, userId: USER_ID, tokenUrl: 'http://127.0.0.1:9/token', tokenRequestInit: { headers: { authorization: header } } });
    engine.setOptions({ ...options, fetch: fetchStub, auth: auth('Bearer one') });
    await engine.register();
    engine.setOptions({ ...options, fetch: fetchStub, auth: auth('Bearer two') });
    await clock.advance(0);
    expect(sdk.registerCalls).toHaveLength(1);
    await engine.renew();
    expect(new Headers(fetchStub.mock.calls.at(-1)?.[1]?.headers).get('authorization')).toBe('Bearer two');
  });

  it('every session that ends gets its `unregistered` event: unregister(), a config change, a renewal', async () => {
    const { options, engine, clock, events } = setupEngine();
    const first = await engine.register();
    engine.setOptions({ ...options, auth: jwtAuth(async () => signTokenNow(clock)) }); // a config change
    const second = await engine.register();
    const third = await engine.renew();
    await engine.unregister();
    expect(events.flatMap((event) => (event.type === 'unregistered' ? [event.sessionId] : []))).toEqual([
      first.getId(),
      second.getId(),
      third.getId(),
    ]);
  });
});
