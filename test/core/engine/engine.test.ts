import { describe, expect, it } from 'vitest';
import { ApiRtcAuthError } from '../../../src/core/errors.js';
import { FAST_FAIL_REGISTER_OPTIONS, type RegisterOptions } from '../../../src/core/options.js';
import { API_KEY, setupEngine, signToken, USER_ID } from '../../support/engine.js';

describe('SessionEngine: the three modes', () => {
  it('registers anonymously with uri apiKey:KEY and the fast-fail SDK options', async () => {
    const { engine, sdk, statuses } = setupEngine({ registerOptions: { groups: ['support'] } });
    const session = await engine.register();
    expect(sdk.lastUserAgent.uri).toBe(`apiKey:${API_KEY}`);
    expect(sdk.registerCalls[0]?.options).toEqual({ ...FAST_FAIL_REGISTER_OPTIONS, groups: ['support'], cloudUrl: 'http://127.0.0.1:9' });
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session, error: undefined, expiresAt: undefined, renewAt: undefined });
    expect(statuses()).toEqual(['registering', 'registered']);
  });

  it('registers a login with uri apirtc:LOGIN and register({ password })', async () => {
    const { engine, sdk } = setupEngine({ auth: { mode: 'login', login: 'bob', password: 'pw-123' } });
    await engine.register();
    expect(sdk.lastUserAgent.uri).toBe('apirtc:bob');
    expect(sdk.registerCalls[0]?.options).toMatchObject({ password: 'pw-123' });
  });

  it('registers a JWT with register({ id: userId, token }): the session id is the user id', async () => {
    const { options, engine, sdk, clock } = setupEngine();
    const token = await signToken(clock);
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, token } });
    const session = await engine.register();
    expect(sdk.lastUserAgent.uri).toBe(`apiKey:${API_KEY}`);
    expect(sdk.registerCalls[0]?.options).toMatchObject({ id: USER_ID, token });
    expect(session.getId()).toBe(USER_ID);
    expect(engine.getSnapshot().expiresAt).toBe(clock.now() + 60_000);
  });

  it('lets registerOptions override the fast-fail options but never id, token or password', async () => {
    const { engine, sdk } = setupEngine({
      auth: { mode: 'login', login: 'bob', password: 'pw-123' },
      registerOptions: { cloudFetchRetries: 50, password: 'other' },
    });
    await engine.register();
    expect(sdk.registerCalls[0]?.options).toMatchObject({ cloudFetchRetries: 50, password: 'pw-123' });
  });

  it('takes registerOptions.cloudUrl (react-lib\'s options as they are) unless the cloudUrl prop is given', async () => {
    const { options, engine, sdk } = setupEngine();
    const reactLibOptions: RegisterOptions = { cloudUrl: 'http://127.0.0.1:8', groups: ['support'] };
    engine.setOptions({ ...options, cloudUrl: undefined, registerOptions: reactLibOptions });
    await engine.register();
    expect(sdk.registerCalls[0]?.options).toMatchObject({ cloudUrl: 'http://127.0.0.1:8', groups: ['support'] });
    engine.setOptions({ ...options, cloudUrl: 'http://127.0.0.1:9', registerOptions: reactLibOptions });
    await engine.register();
    expect(sdk.registerCalls.map((call) => call.options.cloudUrl)).toEqual(['http://127.0.0.1:8', 'http://127.0.0.1:9']);
  });
});

describe('SessionEngine: input is checked before any network call', () => {
  const cases: Array<[string, unknown, string]> = [
    ['no auth', undefined, 'auth'],
    ['an unknown mode', { mode: 'oauth' }, 'auth.mode'],
    ['a blank apiKey', { mode: 'apiKey', apiKey: '  ' }, 'auth.apiKey'],
    ['an apiKey with a colon', { mode: 'apiKey', apiKey: 'a:b' }, 'auth.apiKey'],
    ['a login without password', { mode: 'login', login: 'bob', password: '' }, 'auth.password'],
    ['a blank login', { mode: 'login', login: '', password: 'x' }, 'auth.login'],
    ['a jwt without userId', { mode: 'jwt', apiKey: 'k', token: 'x' }, 'auth.userId'],
    ['a jwt without a source', { mode: 'jwt', apiKey: 'k', userId: 'u' }, 'auth.token'],
    ['a jwt with two sources', { mode: 'jwt', apiKey: 'k', userId: 'u', token: 'x', tokenUrl: '/t' }, 'auth.token'],
  ];
  it.each(cases)('%s is INVALID_CONFIG naming the field, and the SDK is never loaded', async (_name, auth, field) => {
    const { engine, sdk, statuses } = setupEngine({ auth: auth as never });
    const error = await engine.register().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRtcAuthError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field, retryable: false });
    expect(sdk.loads).toBe(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'error', error, session: undefined });
    expect(statuses()).toEqual(['registering', 'error']);
  });

  it.each([
    ['malformed', async () => 'not-a-jwt', 'INVALID_TOKEN'],
    ['signed for another user', (clock: never) => signToken(clock, { userId: 'mallory' }), 'INVALID_TOKEN'],
    ['for another apiKey', (clock: never) => signToken(clock, { apiKey: 'other-key' }), 'INVALID_TOKEN'],
    ['already expired', (clock: never) => signToken(clock, { now: () => Date.UTC(2020, 0, 1) }), 'TOKEN_EXPIRED'],
  ] as const)('a literal token that is %s fails with %s before register()', async (_name, make, code) => {
    const { options, engine, sdk, clock } = setupEngine();
    const token = await make(clock as never);
    engine.setOptions({ ...options, auth: { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, token } });
    await expect(engine.register()).rejects.toMatchObject({ code, field: 'token' });
    expect(sdk.registerCalls).toHaveLength(0);
  });
});

describe('SessionEngine: lifecycle', () => {
  it('unregister() ends the session through ua.unregister() and leaves nothing scheduled', async () => {
    const { engine, sdk, leftovers, statuses } = setupEngine();
    await engine.register();
    await engine.unregister();
    expect(sdk.lastUserAgent.unregisterCalls).toBe(1);
    expect(sdk.liveSessions).toHaveLength(0);
    expect(engine.getSnapshot()).toMatchObject({ status: 'idle', session: undefined, userAgent: undefined });
    expect(leftovers()).toEqual({ timers: 0, windowListeners: 0, uaListeners: 0 });
    expect(statuses()).toEqual(['registering', 'registered', 'idle']);
  });

  it('start, stop, start in one go (StrictMode) registers once and never calls register() for the first mount', async () => {
    const { engine, sdk, flush } = setupEngine();
    engine.start();
    engine.stop();
    engine.start();
    await flush();
    expect(sdk.registerCalls).toHaveLength(1);
    expect(sdk.liveSessions).toHaveLength(1);
    expect(engine.getSnapshot().status).toBe('registered');
  });

  it('stop() in the middle of register() unregisters the session that arrives late', async () => {
    const { engine, sdk, flush, leftovers, events } = setupEngine();
    const manual = sdk.manual();
    engine.start();
    await flush();
    expect(sdk.registerCalls).toHaveLength(1);
    engine.stop();
    manual.settle('ok');
    await flush();
    expect(sdk.sessions).toHaveLength(1);
    expect(sdk.liveSessions).toHaveLength(0);
    expect(events).toContainEqual({ type: 'stale-session-unregistered', sessionId: sdk.sessions[0]?.id });
    expect(engine.getSnapshot().status).toBe('idle');
    expect(leftovers()).toEqual({ timers: 0, windowListeners: 0, uaListeners: 0 });
  });

  it('a config change in the middle of register() ends with one live session, for the new config', async () => {
    const { options, engine, sdk, flush } = setupEngine();
    const manual = sdk.manual();
    engine.start();
    await flush();
    engine.setOptions({ ...options, auth: { mode: 'apiKey', apiKey: 'second-key' } });
    await flush();
    manual.settle('ok');
    await flush();
    expect(sdk.liveSessions.map((s) => s.ua.uri)).toEqual(['apiKey:second-key']);
    expect(engine.getSnapshot()).toMatchObject({ status: 'registered', session: sdk.liveSessions[0] });
  });

  it('100 rapid config changes leave exactly one live session, for the last config', async () => {
    const { options, engine, sdk, flush } = setupEngine();
    engine.start();
    for (let i = 0; i < 100; i += 1) {
      engine.setOptions({ ...options, auth: { mode: 'apiKey', apiKey: `key-${i}` } });
      if (i % 7 === 0) await flush(); // some changes land mid-register, some before it starts
    }
    await flush();
    expect(sdk.liveSessions.map((s) => s.ua.uri)).toEqual(['apiKey:key-99']);
    expect(engine.getSnapshot().session).toBe(sdk.liveSessions[0]);
  });

  it('compares config by value: a new object with the same content does not re-register', async () => {
    const { options, engine, sdk } = setupEngine();
    await engine.register();
    engine.setOptions({ ...options, auth: { mode: 'apiKey', apiKey: API_KEY }, registerOptions: {} });
    engine.setOptions({ ...options, onEvent: () => {} });
    expect(sdk.registerCalls).toHaveLength(1);
    expect(engine.getSnapshot().status).toBe('registered');
  });

  it('register() while registered resolves with the same session; renew() replaces it', async () => {
    const { engine, sdk } = setupEngine();
    const first = await engine.register();
    expect(await engine.register()).toBe(first);
    const second = await engine.renew();
    expect(second).not.toBe(first);
    expect(sdk.liveSessions).toEqual([second]);
    expect(sdk.userAgents).toHaveLength(1); // renewal re-registers on the same UserAgent
  });
});

describe('SessionEngine: subscribeEvents', () => {
  it('hands every event, with the engine clock\'s time, to each subscriber until it unsubscribes', async () => {
    const { engine, clock, events } = setupEngine();
    const seen: Array<{ at: number; type: string }> = [];
    const stop = engine.subscribeEvents(({ at, event }) => seen.push({ at, type: event.type }));
    await engine.register();
    expect(seen.map((event) => event.type)).toEqual(events.map((event) => event.type));
    expect(seen.every((event) => event.at === clock.now())).toBe(true);
    expect(engine.getSnapshot().status).toBe('registered');
    stop();
    await engine.unregister();
    expect(seen.map((event) => event.type)).not.toContain('unregistered');
  });
});
