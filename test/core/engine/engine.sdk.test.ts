/**
 * The engine with the real @apirtc/apirtc SDK (jsdom) against the local cloud: what the unit tests
 * assume of the SDK, checked for real. Waits on engine state and cloud events; never sleeps.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../src/core/events.js';
import { createTokenHandler } from '../../../src/server/index.js';
import { setupSdkEngines } from '../../support/sdk-engines.js';
import { setupLocalCloud, TEST_API_KEY, TEST_LOGIN, TEST_LOGIN_USER_ID, TEST_PASSWORD, TEST_SECRET, waitForNoSessions } from '../../support/cloud.js';
import { untilState } from '../../support/engine.js';

const fixture = setupLocalCloud();
const engine = setupSdkEngines(fixture, { registerTimeoutMs: 5_000, retry: { baseDelayMs: 100, maxDelayMs: 500 } });

const jwt = (getToken: () => Promise<string>, userId = 'alice') => ({ mode: 'jwt' as const, apiKey: TEST_API_KEY, userId, getToken });

describe('the engine with the real SDK, each mode', () => {
  it('registers anonymously', async () => {
    const session = await engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } }).register();
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: session.getId() })]);
  });

  it('registers a login and password', async () => {
    const session = await engine({ auth: { mode: 'login', login: TEST_LOGIN, password: TEST_PASSWORD } }).register();
    expect(session.getId()).toBe(TEST_LOGIN_USER_ID);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'login', channelId: TEST_LOGIN_USER_ID })]);
  });

  it('registers with a JWT: the session id is the user id, the cloud saw the token', async () => {
    const token = await fixture.signToken({ userId: 'alice' });
    const subject = engine({ auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: 'alice', token } });
    const session = await subject.register();
    expect(session.getId()).toBe('alice');
    const [registration] = fixture.cloud.registrations;
    expect(registration).toMatchObject({ mode: 'jwt', channelId: 'alice' });
    expect(registration?.jti).toEqual(expect.any(String));
    expect(subject.getSnapshot().expiresAt).toBeGreaterThan(Date.now());
  });

  it('unregister() ends the session on the cloud', async () => {
    const subject = engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    await subject.register();
    await subject.unregister();
    expect(subject.getSnapshot().status).toBe('idle');
    await waitForNoSessions(fixture.cloud);
    expect(fixture.cloud.disconnects).toEqual([expect.objectContaining({ cause: 'client' })]);
  });
});

describe('renewal with the real SDK', () => {
  it('renews a 5 s token before it expires: two registrations, different jti, no refusal', async () => {
    const subject = engine({ auth: jwt(() => fixture.signToken({ userId: 'alice', expiresIn: 5 })) });
    await subject.register();
    const first = subject.getSnapshot();
    const second = await fixture.cloud.waitFor('registration', (r) => r.jti !== fixture.cloud.registrations[0]?.jti, { timeoutMs: 10_000 });
    const [before, after] = fixture.cloud.registrations;
    expect(after).toBe(second);
    expect(after?.jti).not.toBe(before?.jti);
    // the new registration happened before the first token expired
    expect(second.at).toBeLessThan(first.expiresAt as number);
    const renewed = await untilState(subject, (s) => s.status === 'registered' && s.session !== first.session);
    expect(renewed.session?.getId()).toBe('alice');
    expect(fixture.cloud.refusals).toEqual([]);
    expect(fixture.cloud.sessions()).toHaveLength(1);
  });

  it('recovers when a reconnect is refused because the token expired meanwhile: fresh token, new UserAgent', async () => {
    const events: SessionEvent[] = [];
    // The SDK retries after a drop within about a second; give it time to be refused before the engine steps in.
    const subject = engine({ auth: jwt(() => fixture.signToken({ userId: 'alice', expiresIn: 60 })), reconnectTimeoutMs: 3_000 }, events);
    const first = await subject.register();
    // For the cloud the token has long expired; the browser's clock doesn't know (the engine can't tell a
    // refusal from a transport error, so it waits reconnectTimeoutMs for the SDK, then registers anew).
    fixture.cloud.advanceClock(3_600_000);
    const refused = fixture.cloud.waitFor('refusal');
    fixture.cloud.faults.drop();
    expect((await refused).reason).toBe('jwt expired');
    const state = await untilState(subject, (s) => s.status === 'registered' && s.session !== first);
    expect(state.userAgent).not.toBe(first.getUserAgent());
    expect(events).toContainEqual(expect.objectContaining({ type: 'token', reason: 'refused' }));
    expect(fixture.cloud.sessions()).toHaveLength(1);
  }, 30_000);
});

describe('failures with the real SDK', () => {
  it('a wrong password is UNAUTHORIZED, not retried', async () => {
    const subject = engine({ auth: { mode: 'login', login: TEST_LOGIN, password: 'wrong' } });
    await expect(subject.register()).rejects.toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
    expect(subject.getSnapshot().status).toBe('error');
    expect(fixture.cloud.refusals).toEqual([expect.objectContaining({ stage: 'authenticate' })]);
  });

  it('a token signed with the wrong secret: one fresh token, refused again, UNAUTHORIZED with the cloud reason', async () => {
    const subject = engine({ auth: jwt(() => fixture.signToken({ userId: 'alice', secret: 'not-the-secret' })) });
    const error = await subject.register().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('invalid signature') });
    expect(fixture.cloud.refusals.map((r) => r.reason)).toEqual(['invalid signature', 'invalid signature']);
    expect(fixture.cloud.sessions()).toEqual([]);
  });

  it('a transport drop: the SDK reconnects the same session', async () => {
    const subject = engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    const session = await subject.register();
    const reconnected = fixture.cloud.waitFor('registration');
    fixture.cloud.faults.drop();
    await reconnected;
    const state = await untilState(subject, (s) => s.status === 'registered');
    expect(state.session).toBe(session);
    expect(fixture.cloud.sessions()).toHaveLength(1);
  });

  it('a kick: registered again on a new UserAgent after the reconnect timeout', async () => {
    const subject = engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY }, reconnectTimeoutMs: 500 });
    const session = await subject.register();
    fixture.cloud.faults.kick();
    await untilState(subject, (s) => s.status === 'reconnecting');
    const state = await untilState(subject, (s) => s.status === 'registered' && s.session !== session);
    expect(state.session?.getId()).toEqual(expect.any(String));
    expect(fixture.cloud.sessions()).toHaveLength(1);
  });

  it('the socket script unreachable (the SDK would hang): fails fast, recovers on a new UserAgent', async () => {
    fixture.cloud.faults.withholdSocketScript(true);
    const subject = engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    subject.start();
    const retrying = await untilState(subject, (s) => s.status === 'retrying');
    expect(retrying.error?.code).toMatch(/REGISTER_FAILED|REGISTER_TIMEOUT/);
    fixture.cloud.faults.withholdSocketScript(false);
    await untilState(subject, (s) => s.status === 'registered');
    expect(fixture.cloud.sessions()).toHaveLength(1);
  });

  it('stop() in the middle of a slow register() leaves no session on the cloud', async () => {
    fixture.cloud.faults.setLatency({ handshake: 300 });
    const subject = engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    subject.start();
    await fixture.cloud.waitFor('request', (r) => r.path === '/api/v2/preferredCCS');
    subject.stop();
    await waitForNoSessions(fixture.cloud);
    expect(subject.getSnapshot().status).toBe('idle');
  });
});

describe('tokenUrl end to end with the server handler', () => {
  let server: Server;
  let tokenUrl: string;
  const asked: Array<string | undefined> = [];

  beforeAll(async () => {
    const handler = createTokenHandler({
      apiKey: TEST_API_KEY,
      secret: TEST_SECRET,
      expiresIn: 600,
      now: () => fixture.cloud.now(),
      authorize: (request, { reason }) => {
        asked.push(reason);
        return request.headers.get('authorization') === 'Bearer app-session-of-bob' ? { userId: 'bob' } : null;
      },
    });
    server = createServer(handler.node);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gets a token from the endpoint and registers as the user the server decided', async () => {
    const subject = engine({
      auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: 'bob', tokenUrl, tokenRequestInit: { headers: { authorization: 'Bearer app-session-of-bob' } } },
    });
    const session = await subject.register();
    expect(session.getId()).toBe('bob');
    expect(asked).toEqual(['initial']);
    await subject.renew();
    expect(asked).toEqual(['initial', 'renew']);
    // (The SDK's socket layer is a page-wide singleton: a new UserAgent after an earlier one sometimes
    // reconnects the old channel without a token for a moment first; only the JWT registrations are ours.)
    expect(fixture.cloud.registrations.filter((r) => r.mode === 'jwt').map((r) => r.channelId)).toEqual(['bob', 'bob']);
  });

  it('an endpoint that refuses the browser (401) is TOKEN_SOURCE_FAILED, not retried, and the cloud is never asked', async () => {
    const subject = engine({ auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: 'bob', tokenUrl } });
    await expect(subject.register()).rejects.toMatchObject({ code: 'TOKEN_SOURCE_FAILED', retryable: false });
    expect(fixture.cloud.requests).toEqual([]);
  });
});

describe('one session per page, with the real SDK', () => {
  it('a second engine with other credentials fails with SESSION_CONFLICT and the cloud keeps only the first one\'s session', async () => {
    const first = engine({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    const session = await first.register();
    const second = engine({ auth: jwt(() => fixture.signToken({ userId: 'bob' }), 'bob') });
    await expect(second.register()).rejects.toMatchObject({ code: 'SESSION_CONFLICT' });
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ channelId: session.getId() })]);
    expect(first.getSnapshot()).toMatchObject({ status: 'registered', session });
    await first.unregister();
    await waitForNoSessions(fixture.cloud);
    const bobs = await second.register();
    expect(bobs.getId()).toBe('bob');
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ channelId: 'bob', mode: 'jwt' })]);
  });
});

describe('the apiKey-wide token, with the real SDK', () => {
  it('registers any user id of the apiKey with one token signed on purpose (scope apiKey)', async () => {
    const token = await fixture.signToken({ userId: 'ApiKey_Token' });
    for (const userId of ['dave', 'erin']) {
      const subject = engine({ auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId, token } });
      const session = await subject.register();
      expect(session.getId()).toBe(userId);
      expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: userId })]);
      await subject.unregister();
      await waitForNoSessions(fixture.cloud);
    }
  });
});
