/**
 * Fault suite: the engine with the real @apirtc/apirtc SDK (jsdom) against the local cloud and a real
 * token endpoint, under the faults a video app meets: a cloud that is down, REST 5xx, a token endpoint
 * that fails, hangs or answers nonsense, expired tokens, a renewal slower than its lead, a cloud restart.
 *
 * For each: the final state, the live sessions the cloud sees (exactly the expected one, or none), the
 * refusals it recorded (none unless the fault is one), and after unregister(): status idle, no session on
 * the cloud, no engine timer (a counting clock), no window/document listener, no UserAgent listener.
 * One engine at a time (the SDK's socket layer is a page-wide singleton). Waits on events; never sleeps.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionEngine } from '../../../src/core/engine/store.js';
import type { SessionEngineOptions } from '../../../src/core/options.js';
import type { ApiRtcSdk } from '../../../src/core/sdk.js';
import { createTokenHandler } from '../../../src/server/index.js';
import { createApiRtcToken } from '../../../src/server/token.js';
import { loadApiRtc } from '../../support/apirtc-sdk.js';
import { setupLocalCloud, TEST_API_KEY, TEST_LOGIN, TEST_LOGIN_USER_ID, TEST_PASSWORD, TEST_SECRET, waitForNoSessions } from '../../support/cloud.js';
import { untilState } from '../../support/engine.js';
import { flush } from '../../support/fake-clock.js';
import { CountingClock, countingEnvironment, countingSdk, EventLog, type CountingEnvironment, type CountingSdk } from '../../support/leaks.js';
import { startTokenServer, type ScriptedTokenServer } from '../../support/token-server.js';

const fixture = setupLocalCloud();
const USER = 'alice';
let tokens: ScriptedTokenServer;

interface Harness {
  engine: SessionEngine;
  log: EventLog;
  /** Each retry-scheduled event with the time the engine stamped it with, from its own clock. */
  retries: Array<{ at: number; retryAt: number | undefined }>;
  clock: CountingClock;
  env: CountingEnvironment;
  sdk: CountingSdk;
}
let current: Harness | undefined;

beforeAll(async () => {
  await loadApiRtc(); // the global `io` must exist before the engine's own import of the SDK registers
  tokens = await startTokenServer(
    createTokenHandler({
      apiKey: TEST_API_KEY,
      secret: TEST_SECRET,
      expiresIn: 600,
      now: () => fixture.cloud.now(),
      authorize: () => ({ userId: USER }),
    }),
  );
});

afterAll(() => tokens.close());

beforeEach(() => {
  tokens.answers.splice(0);
  tokens.requests.splice(0);
  tokens.errorBodies.splice(0);
  tokens.fallback = { kind: 'handler' };
});

afterEach(async () => {
  // A failed test must not leave its session to the next one.
  await current?.engine.unregister().catch(() => {});
  current = undefined;
  await waitForNoSessions(fixture.cloud);
});

/**
 * Real time, read once per synchronous turn: the engine computes a retry's `retryAt` and stamps its event a few
 * statements apart, so the delay between them is exact instead of off by whatever the machine paused there.
 */
class TurnClock extends CountingClock {
  private turn: number | undefined;
  override now = (): number => {
    if (this.turn === undefined) {
      this.turn = Date.now();
      queueMicrotask(() => (this.turn = undefined));
    }
    return this.turn;
  };
}

/** Short timeouts so that every fault plays out in a second or two. */
function harness(options: Partial<SessionEngineOptions> & Pick<SessionEngineOptions, 'auth'>): Harness {
  const clock = new TurnClock();
  const env = countingEnvironment();
  const sdk = countingSdk(() => loadApiRtc() as unknown as Promise<ApiRtcSdk>);
  const log = new EventLog();
  const engine = new SessionEngine({
    cloudUrl: fixture.cloud.url,
    clock,
    environment: env,
    loadSdk: sdk.load,
    onEvent: log.record,
    random: () => 0.5,
    registerTimeoutMs: 5_000,
    tokenTimeoutMs: 2_000,
    reconnectTimeoutMs: 3_000,
    retry: { baseDelayMs: 100, maxDelayMs: 1_000 },
    // An unreachable cloud fails in ~20 ms instead of FAST_FAIL_REGISTER_OPTIONS' ~750 ms.
    registerOptions: { cloudFetchRetries: 1, cloudFetchRetryDelay: 20 },
    ...options,
  });
  const retries: Harness['retries'] = [];
  engine.subscribeEvents(({ at, event }) => {
    if (event.type === 'retry-scheduled') retries.push({ at, retryAt: event.retryAt });
  });
  current = { engine, log, retries, clock, env, sdk };
  return current;
}

const jwtFromEndpoint = () => ({ mode: 'jwt' as const, apiKey: TEST_API_KEY, userId: USER, tokenUrl: tokens.url });

/** unregister(), then: idle, no live session on the cloud, no timer, no listener of any kind. */
async function unregisterLeavesNothing(h: Harness): Promise<void> {
  await h.engine.unregister();
  expect(h.engine.getSnapshot()).toMatchObject({
    status: 'idle',
    session: undefined,
    userAgent: undefined,
    error: undefined,
    expiresAt: undefined,
    renewAt: undefined,
    retryAt: undefined,
  });
  await waitForNoSessions(fixture.cloud);
  await flush();
  expect({ timers: h.clock.pending, windowListeners: h.env.listeners, userAgentListeners: h.sdk.listeners }).toEqual({
    timers: 0,
    windowListeners: 0,
    userAgentListeners: 0,
  });
}

/** The delay each retry waited, from its event: equal jitter with random 0.5 gives 0.75 x base x 2^n, capped. */
function retryDelays(h: Harness): number[] {
  return h.retries.map(({ at, retryAt }) => (retryAt ?? Number.NaN) - at);
}

function expectDelays(actual: number[], expected: number[]): void {
  expect(actual).toEqual(expected);
}

describe('the cloud is down at start, then up', () => {
  it('retries with backoff while it is down (REGISTER_FAILED, retryable), registers once it is up', async () => {
    await fixture.cloud.faults.down();
    const h = harness({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    h.engine.start();
    await h.log.until('retry-scheduled', (event) => event.attempt === 2);
    const retrying = h.engine.getSnapshot();
    expect(retrying.status).toBe('retrying');
    expect(retrying.error).toMatchObject({ code: 'REGISTER_FAILED', retryable: true });
    expect(retrying.session).toBeUndefined();

    const registered = fixture.cloud.waitFor('registration');
    await fixture.cloud.faults.up();
    await registered;
    const state = await untilState(h.engine, (s) => s.status === 'registered');

    // 75 ms, 150 ms, then (if the cloud was not back in time) 300 ms...: doubling from baseDelayMs 100.
    const delays = retryDelays(h);
    expect(delays.length).toBeGreaterThanOrEqual(2);
    expectDelays(delays, delays.map((_, n) => Math.min(1_000, 100 * 2 ** n) * 0.75));
    expect(state.error).toBeUndefined();
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: state.session?.getId() })]);
    expect(fixture.cloud.refusals).toEqual([]);
    // Every failed attempt cost its UserAgent (never reused after a failed register()); their listeners are gone.
    expect(h.sdk.userAgents.length).toBe(delays.length + 1);
    await unregisterLeavesNothing(h);
  });
});

describe('REST 5xx', () => {
  it('apiKey mode: two 503 from preferredCCS are retried with backoff, then registered', async () => {
    fixture.cloud.faults.failRest({ status: 503, count: 2 });
    const h = harness({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY } });
    const session = await h.engine.register();

    expect(fixture.cloud.requests.filter((r) => r.status === 503).map((r) => r.path)).toEqual(['/api/v2/preferredCCS', '/api/v2/preferredCCS']);
    expect(h.log.of('retry-scheduled').map((e) => [e.attempt, e.error.code, e.error.retryable])).toEqual([
      [1, 'REGISTER_FAILED', true],
      [2, 'REGISTER_FAILED', true],
    ]);
    expectDelays(retryDelays(h), [75, 150]);
    expect(h.engine.getSnapshot()).toMatchObject({ status: 'registered', session, error: undefined });
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ channelId: session.getId() })]);
    expect(fixture.cloud.refusals).toEqual([]);
    await unregisterLeavesNothing(h);
  });

  it('login mode: a 500 from /api/v3/authenticate is REGISTER_FAILED and retried (not UNAUTHORIZED), then registered', async () => {
    fixture.cloud.faults.failRest({ status: 500, count: 1, path: '/api/v3/authenticate' });
    const h = harness({ auth: { mode: 'login', login: TEST_LOGIN, password: TEST_PASSWORD } });
    const session = await h.engine.register();

    expect(h.log.of('retry-scheduled').map((e) => [e.error.code, e.error.message])).toEqual([
      ['REGISTER_FAILED', 'register() failed: the cloud answered HTTP 500'],
    ]);
    expect(session.getId()).toBe(TEST_LOGIN_USER_ID);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'login', channelId: TEST_LOGIN_USER_ID })]);
    expect(fixture.cloud.refusals).toEqual([]);
    await unregisterLeavesNothing(h);
  });

  it('a 5xx that does not end: the delay doubles up to maxDelayMs; unregister() stops the retries and leaves nothing', async () => {
    fixture.cloud.faults.failRest({ status: 502 });
    const h = harness({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY }, retry: { baseDelayMs: 100, maxDelayMs: 200 } });
    h.engine.start();
    await h.log.until('retry-scheduled', (event) => event.attempt === 4);
    expectDelays(retryDelays(h).slice(0, 4), [75, 150, 150, 150]);
    expect(h.engine.getSnapshot()).toMatchObject({ status: 'retrying', retryAt: expect.any(Number), error: { code: 'REGISTER_FAILED' } });
    expect(fixture.cloud.sessions()).toEqual([]);
    await unregisterLeavesNothing(h); // no timer left: no further attempt
  });
});

describe('the token endpoint fails', () => {
  it('answers 500 twice: retried (TOKEN_SOURCE_FAILED, retryable, reason "retry"), then registered', async () => {
    tokens.answers.push({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const h = harness({ auth: jwtFromEndpoint() });
    const session = await h.engine.register();

    expect(tokens.requests.map((r) => r.reason)).toEqual(['initial', 'retry', 'retry']);
    expect(h.log.of('retry-scheduled').map((e) => [e.error.code, e.error.retryable, e.error.message])).toEqual([
      ['TOKEN_SOURCE_FAILED', true, 'the token endpoint answered HTTP 500'],
      ['TOKEN_SOURCE_FAILED', true, 'the token endpoint answered HTTP 500'],
    ]);
    expectDelays(retryDelays(h), [75, 150]);
    expect(session.getId()).toBe(USER);
    // The cloud is only contacted once a token is in hand: one JWT registration, no refusal.
    expect(fixture.cloud.registrations.filter((r) => r.mode === 'jwt').map((r) => r.channelId)).toEqual([USER]);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: USER })]);
    expect(fixture.cloud.refusals).toEqual([]);
    await unregisterLeavesNothing(h);
  });

  it('never answers: tokenTimeoutMs gives up and closes the request, retried, then registered', async () => {
    tokens.answers.push({ kind: 'hang' });
    const h = harness({ auth: jwtFromEndpoint(), tokenTimeoutMs: 300 });
    const session = await h.engine.register();

    expect(h.log.of('retry-scheduled').map((e) => [e.error.code, e.error.retryable, e.error.message])).toEqual([
      ['TOKEN_SOURCE_FAILED', true, 'the token request took longer than 300 ms'],
    ]);
    // The engine aborted the hung fetch: its connection is closed, not left open on the server.
    await (tokens.requests[0] as { closed: Promise<void> }).closed;
    expect(tokens.requests.map((r) => r.reason)).toEqual(['initial', 'retry']);
    expect(session.getId()).toBe(USER);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: USER })]);
    expect(fixture.cloud.refusals).toEqual([]);
    await unregisterLeavesNothing(h);
  });

  it.each([
    ['a body that is not a JWT', '{"token":"not-a-jwt","userId":"alice","expiresAt":0}', 'INVALID_TOKEN', 'the token is not a well-formed JWT'],
    ['a JWT-looking string with two segments', '{"token":"eyJhbGciOiJIUzI1NiJ9.e30","userId":"alice","expiresAt":0}', 'INVALID_TOKEN', 'the token is not a well-formed JWT'],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>', 'TOKEN_SOURCE_FAILED', 'the token endpoint answered with a body that is not JSON'],
    ['JSON without a token string', '{"token":42}', 'TOKEN_SOURCE_FAILED', 'the token endpoint answered without a "token" string'],
    ['an empty token', '{"token":""}', 'TOKEN_SOURCE_FAILED', 'the token endpoint answered without a "token" string'],
  ])('answers 200 with %s: %s, stops at once, the cloud is never contacted', async (_name, body, code, message) => {
    tokens.answers.push({ kind: 'body', body });
    const h = harness({ auth: jwtFromEndpoint() });
    const error = await h.engine.register().catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ApiRtcAuthError', code, message, retryable: false });
    expect(h.engine.getSnapshot()).toMatchObject({ status: 'error', session: undefined, error, retryAt: undefined });
    expect(tokens.requests.map((r) => r.reason)).toEqual(['initial']);
    expect(h.log.of('retry-scheduled')).toEqual([]);
    expect(fixture.cloud.requests).toEqual([]);
    expect(fixture.cloud.sessions()).toEqual([]);
    expect(h.sdk.userAgents).toEqual([]);
    await unregisterLeavesNothing(h);
  });

  const expiredToken = () => ({
    kind: 'token' as const,
    userId: USER,
    // Issued two hours ago for one minute, by the cloud's (and the browser's) clock.
    sign: () => createApiRtcToken({ apiKey: TEST_API_KEY, secret: TEST_SECRET, userId: USER, expiresIn: 60, now: () => Date.now() - 7_200_000 }),
  });

  it('hands out an expired token: one refetch (reason "expired"), still expired: TOKEN_EXPIRED, the cloud is never contacted', async () => {
    tokens.answers.push(expiredToken(), expiredToken(), expiredToken());
    const h = harness({ auth: jwtFromEndpoint() });
    const error = await h.engine.register().catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'TOKEN_EXPIRED', retryable: false, message: expect.stringContaining("the token has already expired by the server's clock (the token endpoint's Date header), issued") });
    expect(tokens.requests.map((r) => r.reason)).toEqual(['initial', 'expired']);
    expect(h.engine.getSnapshot()).toMatchObject({ status: 'error', error });
    expect(fixture.cloud.requests).toEqual([]);
    expect(fixture.cloud.sessions()).toEqual([]);
    await unregisterLeavesNothing(h);
  });

  it('hands out an expired token, then a fresh one on the refetch: registered', async () => {
    tokens.answers.push(expiredToken());
    const h = harness({ auth: jwtFromEndpoint() });
    const session = await h.engine.register();

    expect(tokens.requests.map((r) => r.reason)).toEqual(['initial', 'expired']);
    expect(h.log.of('token').map((e) => e.reason)).toEqual(['expired']);
    expect(session.getId()).toBe(USER);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: USER })]);
    expect(fixture.cloud.refusals).toEqual([]);
    await unregisterLeavesNothing(h);
  });
});

describe('a register() slower than the renewal lead', () => {
  it('the renewal still ends with one live session, on the new token, and no refusal', async () => {
    const LEAD_MS = 400;
    const LATENCY_MS = 1_200;
    const h = harness({
      auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: USER, getToken: () => fixture.signToken({ userId: USER, expiresIn: 5 }) },
      renewal: { leadMs: LEAD_MS, jitter: 0 },
    });
    const first = await h.engine.register();
    const before = h.engine.getSnapshot();
    const firstJti = fixture.cloud.registrations[0]?.jti;
    // From now on every handshake takes longer than the lead: the renewal's register() ends after the old exp.
    fixture.cloud.faults.setLatency({ handshake: LATENCY_MS });

    const renewedOnCloud = fixture.cloud.waitFor('registration', (r) => r.jti !== firstJti, { timeoutMs: 10_000 });
    const renewing = await untilState(h.engine, (s) => s.status === 'renewing');
    const renewingAt = Date.now();
    const second = await renewedOnCloud;
    const after = await untilState(h.engine, (s) => s.status === 'registered' && s.session !== first);

    expect(Date.now() - renewingAt).toBeGreaterThan(LEAD_MS);
    expect(second.at).toBeGreaterThanOrEqual(before.expiresAt as number); // registered after the old token's expiry
    expect(renewing.session).toBe(first);
    expect(after.session?.getId()).toBe(USER);
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt as number);
    expect(after.renewAt).toBeGreaterThan(Date.now());
    expect(h.log.of('token').map((e) => e.reason)).toEqual(['initial', 'renew']);
    // The old session ended (by the client) before the new one began: never two at once.
    const ended = fixture.cloud.disconnects.filter((d) => d.jti === firstJti);
    expect(ended).toEqual([expect.objectContaining({ cause: 'client' })]);
    expect((ended[0] as { at: number }).at).toBeLessThanOrEqual(second.at);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'jwt', channelId: USER, jti: second.jti })]);
    expect(fixture.cloud.refusals).toEqual([]);
    expect(h.sdk.userAgents).toHaveLength(1); // a renewal re-registers the same UserAgent
    await unregisterLeavesNothing(h);
  }, 20_000);
});

describe('the cloud restarts mid-session', () => {
  it('down while registered: reconnecting; up again: registered with exactly one live session', async () => {
    const h = harness({ auth: { mode: 'apiKey', apiKey: TEST_API_KEY }, reconnectTimeoutMs: 2_000 });
    await h.engine.register();
    await fixture.cloud.faults.down();
    await untilState(h.engine, (s) => s.status === 'reconnecting');
    const back = fixture.cloud.waitFor('registration', undefined, { timeoutMs: 10_000 });
    await fixture.cloud.faults.up();
    await back;
    const state = await untilState(h.engine, (s) => s.status === 'registered');

    expect(fixture.cloud.disconnects).toEqual([expect.objectContaining({ cause: 'down' })]);
    expect(fixture.cloud.sessions()).toEqual([expect.objectContaining({ mode: 'apiKey', channelId: state.session?.getId() })]);
    expect(fixture.cloud.refusals).toEqual([]);
    await unregisterLeavesNothing(h);
  }, 20_000);
});

describe('bad input that the cloud would misread is refused first (see test/bad-input.test.ts)', () => {
  // The SDK writes the id unescaped into its handshake URL (`?channelId=` + id): for 'a&b' the cloud would
  // read channelId 'a' and refuse the token as if it were signed for someone else.
  it("a userId with '&' is refused before the cloud is contacted", async () => {
    const userId = 'a&b';
    const h = harness({ auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId, getToken: () => fixture.signToken({ userId: 'a' }) } });
    const error = await h.engine.register().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', field: 'auth.userId' });
    expect(fixture.cloud.requests).toEqual([]);
    expect(fixture.cloud.refusals).toEqual([]);
  });

  // The cloud verifies the signature over the text as sent: a padded token would be refused as if the
  // secret were wrong. The engine says what is wrong instead, before any call to the cloud.
  it('a token with a leading space (e.g. from a text/plain endpoint) is refused with INVALID_TOKEN, not sent', async () => {
    const h = harness({ auth: { mode: 'jwt', apiKey: TEST_API_KEY, userId: USER, getToken: async () => ` ${await fixture.signToken({ userId: USER })}` } });
    const error = await h.engine.register().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', message: expect.stringContaining('whitespace') });
    expect(fixture.cloud.requests).toEqual([]);
    expect(fixture.cloud.refusals).toEqual([]);
  });
});
