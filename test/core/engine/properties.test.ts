/**
 * Property-based tests of the engine: random interleavings of mount/unmount, config changes,
 * register outcomes (resolve, reject, hang, late), clock advances and jumps, wake-ups, offline/online,
 * connection events and the actions. After every step the invariants must hold; after unmount nothing
 * may be left. Runs on the fake SDK and the injectable clock, so thousands of runs take seconds.
 */
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, expect, it } from 'vitest';
import type { AuthConfig } from '../../../src/core/auth.js';
import type { SessionEngineOptions } from '../../../src/core/options.js';
import { canGoTo } from '../../../src/core/engine/status-table.js';
import { API_KEY, setupEngine, signTokenNow, USER_ID } from '../../support/engine.js';
import { flush } from '../../support/fake-clock.js';
import type { FakeSession, FakeUserAgent, RegisterOutcome } from '../../support/fake-sdk.js';
import type { SessionEvent } from '../../../src/core/events.js';
import type { SessionStatus } from '../../../src/core/state.js';

// PROPERTY_RUNS=20000 npx vitest run test/core/engine/properties.test.ts for a deeper search.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3_000);
let runs = 0;
let steps = 0;
const REGISTER_TIMEOUT_MS = 15_000;
const PASSWORD = 'pw-5f1d2c-never-in-events';

type Step =
  | { kind: 'mount' }
  | { kind: 'unmount' }
  | { kind: 'config'; variant: number }
  | { kind: 'register' }
  | { kind: 'renew' }
  | { kind: 'unregister' }
  | { kind: 'outcome'; outcome: 'ok' | 'network' | 'refused' | 'hang' | 'late' }
  | { kind: 'settle'; ok: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'wake' }
  | { kind: 'offline' }
  | { kind: 'online' }
  | { kind: 'connection'; status: 'disconnected' | 'retry' | 'connected' | 'error' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'mount' }),
  fc.constant<Step>({ kind: 'unmount' }),
  fc.integer({ min: 0, max: 3 }).map<Step>((variant) => ({ kind: 'config', variant })),
  fc.constant<Step>({ kind: 'register' }),
  fc.constant<Step>({ kind: 'renew' }),
  fc.constant<Step>({ kind: 'unregister' }),
  fc.constantFrom('ok', 'network', 'refused', 'hang', 'late').map<Step>((outcome) => ({ kind: 'outcome', outcome })),
  fc.boolean().map<Step>((ok) => ({ kind: 'settle', ok })),
  fc.integer({ min: 0, max: 40_000 }).map<Step>((ms) => ({ kind: 'advance', ms })),
  fc.integer({ min: 1_000, max: 3_600_000 }).map<Step>((ms) => ({ kind: 'sleep', ms })),
  fc.constant<Step>({ kind: 'wake' }),
  fc.constant<Step>({ kind: 'offline' }),
  fc.constant<Step>({ kind: 'online' }),
  fc.constantFrom('disconnected', 'retry', 'connected', 'error').map<Step>((status) => ({ kind: 'connection', status })),
);

/** Four configs: two anonymous apiKeys, a login, and JWT with a token source that always works. */
function auth(variant: number, sign: () => string): AuthConfig {
  switch (variant) {
    case 0:
      return { mode: 'apiKey', apiKey: API_KEY };
    case 1:
      return { mode: 'apiKey', apiKey: 'second-key' };
    case 2:
      return { mode: 'login', login: 'bob', password: PASSWORD };
    default:
      return { mode: 'jwt', apiKey: API_KEY, userId: USER_ID, getToken: async () => sign() };
  }
}

/** The token a session registered with: when it was issued and when it expires (ms). */
const tokenOf = (session: FakeSession): { iat: number; exp: number } | undefined => {
  const token = session.options.token;
  if (typeof token !== 'string') return undefined;
  const { iat, exp } = decodeJwt(token);
  return { iat: (iat as number) * 1000, exp: (exp as number) * 1000 };
};

async function play(script: Step[]): Promise<void> {
  const harness = setupEngine({ reconnectTimeoutMs: 10_000, registerTimeoutMs: REGISTER_TIMEOUT_MS });
  const { engine, sdk, clock, env } = harness;
  const tokens: string[] = [];
  const sign = () => {
    const token = signTokenNow(clock, { expiresIn: 60 });
    tokens.push(token);
    return token;
  };

  // ---- added: what the engine promises, recorded as it happens (an expect() inside onEvent would be swallowed) ----
  const violations: string[] = [];
  const violate = (name: string, what: string) => {
    violations.push(`${name}: ${what} [t=${clock.now()}]`);
  };
  let currentStep: Step['kind'] | 'end' = 'mount';
  /** Per session id: `registered` events minus `unregistered` events (JWT sessions all have the id of the user). */
  const open = new Map<string, number>();
  let staleEvents = 0;
  let registeredEvents = 0;
  /** The session, mode and time of the last `registered` event. */
  let lastRegistered: { session: unknown; mode: string; at: number } | undefined;
  const published = new Set<unknown>();
  let lastStatus: SessionStatus = 'idle';
  let lastRetryScheduledAt = Number.NEGATIVE_INFINITY;
  const secretsIn = (value: unknown): string | undefined => {
    const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { ...v, message: v.message } : v));
    if (text.includes(PASSWORD)) return 'the password';
    return tokens.some((token) => text.includes(token) || text.includes(token.split('.')[2] as string)) ? 'a token' : undefined;
  };
  const onEvent = (event: SessionEvent) => {
    harness.events.push(event);
    const state = engine.getSnapshot();
    const leak = secretsIn(event);
    if (leak) violate('secrets', `event ${event.type} contains ${leak}`);
    switch (event.type) {
      case 'status': {
        // Status events say what changed: never the same status twice in a row, and the snapshot agrees.
        if (event.status === lastStatus) violate('status-events', `status event repeats ${event.status}`);
        if (event.status !== state.status) violate('status-events', `status event ${event.status} while the snapshot says ${state.status}`);
        if (!canGoTo(lastStatus, event.status)) {
          violate('status-table', `${lastStatus} -> ${event.status} is not in the README's status table`);
        }
        // README "Failures and recovery": while the browser is offline no attempt is burnt (a retry waits for `online`).
        if (lastStatus === 'retrying' && event.status === 'registering' && !env.online && !['register', 'renew', 'mount', 'config'].includes(currentStep)) {
          violate('offline-retry', `a retry started while offline (step ${currentStep})`);
        }
        lastStatus = event.status;
        break;
      }
      case 'registered': {
        registeredEvents += 1;
        open.set(event.sessionId, (open.get(event.sessionId) ?? 0) + 1);
        if (state.status !== 'registered' || !state.session) violate('registered-event', `registered event in status ${state.status}`);
        else if (state.session.getId() !== event.sessionId) violate('registered-event', `registered event for ${event.sessionId}, snapshot holds ${state.session.getId()}`);
        // error: "the last failure; cleared when registered again"
        if (state.error !== undefined) violate('error-cleared', `registered with error ${state.error.code} still set`);
        if (state.retryAt !== undefined) violate('retry-at', 'registered with retryAt still set');
        lastRegistered = { session: state.session, mode: event.mode, at: clock.now() };
        published.add(state.session);
        break;
      }
      case 'unregistered': {
        const count = open.get(event.sessionId) ?? 0;
        if (count === 0) violate('pairing', `unregistered for ${event.sessionId}, which has no registered session left to end`);
        else open.set(event.sessionId, count - 1);
        break;
      }
      case 'stale-session-unregistered':
        staleEvents += 1;
        break;
      case 'retry-scheduled': {
        lastRetryScheduledAt = clock.now();
        // "baseDelayMs x 2^n, capped at maxDelayMs, half of it random" (defaults 1000 / 30000); n counted loosely.
        if (event.retryAt !== undefined) {
          const delay = event.retryAt - clock.now();
          const low = Math.min(30_000, 1_000 * 2 ** (event.attempt - 1)) / 2;
          const high = Math.min(30_000, 1_000 * 2 ** event.attempt);
          if (delay < low || delay > high) violate('backoff', `retry ${event.attempt} in ${delay} ms, outside [${low}, ${high}]`);
        }
        break;
      }
      default:
        break;
    }
  };
  const base: SessionEngineOptions = { ...harness.options, auth: auth(3, sign), onEvent };
  engine.setOptions(base);

  // No two ua.register() in flight on different UserAgents, unless the earlier one is past registerTimeoutMs;
  // a UserAgent whose register() is still in flight (stuck) is never registered again.
  const registerCalls: Array<{ ua: FakeUserAgent; at: number; settled: boolean }> = [];
  const proto = sdk.module.UserAgent.prototype as FakeUserAgent;
  const originalRegister = proto.register;
  proto.register = function (this: FakeUserAgent, options?: Record<string, unknown>) {
    const now = clock.now();
    for (const earlier of registerCalls) {
      if (earlier.settled) continue;
      if (earlier.ua === this) violate('register-overlap', 'register() on a UserAgent whose register() is still in flight');
      else if (now - earlier.at < REGISTER_TIMEOUT_MS) violate('register-overlap', `register() on a new UserAgent while another's has been in flight for ${now - earlier.at} ms`);
    }
    const call = { ua: this, at: now, settled: false };
    registerCalls.push(call);
    try {
      const result = originalRegister.call(this, options);
      result.then(
        () => (call.settled = true),
        () => (call.settled = true),
      );
      return result;
    } catch (error) {
      call.settled = true;
      throw error;
    }
  };

  // Every promise an action returned must settle; register()/renew() pending when unregister() or unmount
  // comes reject with ABORTED; unregister() resolves (the fake's ua.unregister() never fails here).
  const actions: Array<{ kind: 'register' | 'renew' | 'unregister'; state: 'pending' | 'resolved' | 'rejected'; value?: unknown; abortExpected: boolean }> = [];
  const track = (kind: 'register' | 'renew' | 'unregister', promise: Promise<unknown>) => {
    const action: (typeof actions)[number] = { kind, state: 'pending', abortExpected: false };
    actions.push(action);
    promise.then(
      (value) => {
        action.state = 'resolved';
        action.value = value;
        if (action.abortExpected) violate('aborted', `${kind}() pending at unregister()/unmount resolved instead of rejecting with ABORTED`);
        if (kind !== 'unregister' && !published.has(value)) violate('resolved-session', `${kind}() resolved with a session never published as registered`);
      },
      (error: unknown) => {
        action.state = 'rejected';
        action.value = error;
        const code = (error as { code?: unknown }).code;
        if (action.abortExpected && code !== 'ABORTED') violate('aborted', `${kind}() pending at unregister()/unmount rejected with ${String(code)}, not ABORTED`);
        if (kind === 'unregister') violate('unregister-resolves', `unregister() rejected with ${String(code)}`);
        const leak = secretsIn({ message: (error as Error).message, error });
        if (leak) violate('secrets', `${kind}() rejected with an error that contains ${leak}`);
      },
    );
  };
  const abortPending = () => {
    for (const action of actions) if (action.state === 'pending' && action.kind !== 'unregister') action.abortExpected = true;
  };
  const manual: Array<{ settle: (result: 'ok' | { error: unknown }) => void }> = [];
  let lastSleepStart = Number.NEGATIVE_INFINITY;

  const check = (label: string) => {
    const state = engine.getSnapshot();
    const live = sdk.liveSessions;
    const where = `${label} (status ${state.status})`;
    // never two live sessions
    expect(live.length, where).toBeLessThanOrEqual(1);
    // every session created is either the current one or unregistered
    for (const session of live) expect(session, where).toBe(state.session);
    // the status agrees with the session
    if (state.status === 'registered' || state.status === 'reconnecting') expect(state.session, where).toBeDefined();
    if (state.session) {
      expect(['registered', 'reconnecting', 'renewing'], where).toContain(state.status);
      expect((state.session as unknown as FakeSession).live, where).toBe(true);
    } else {
      expect(['idle', 'registering', 'renewing', 'retrying', 'error'], where).toContain(state.status);
    }
    // Nothing of a session that is gone stays in state.
    if (['idle', 'retrying', 'error'].includes(state.status)) {
      expect({ userAgent: state.userAgent, expiresAt: state.expiresAt, renewAt: state.renewAt }, where).toEqual({
        userAgent: undefined,
        expiresAt: undefined,
        renewAt: undefined,
      });
    }
    // With a working token source and a clock that ran normally since the token was issued (no sleep),
    // a registered session's token never expires: renewal always comes first.
    const token = state.status === 'registered' && state.session ? tokenOf(state.session as unknown as FakeSession) : undefined;
    if (token && token.iat > lastSleepStart) expect(clock.now(), `${where}: token expired while registered`).toBeLessThan(token.exp);

    // ---- added ----
    expect(violations, where).toEqual([]);
    // The last status event is the status (none before the first change from idle).
    expect(lastStatus, `${where}: last status event`).toBe(state.status);
    // registered/unregistered pair up: the sessions with a `registered` and no `unregistered` yet are the current one.
    const stillOpen = [...open].flatMap(([id, count]) => Array<string>(count).fill(id));
    expect(stillOpen, `${where}: sessions registered and not yet unregistered`).toEqual(state.session ? [state.session.getId()] : []);
    // Every session the SDK made got exactly one of `registered` or `stale-session-unregistered`.
    expect(registeredEvents + staleEvents, `${where}: sessions vs registered + stale events`).toBe(sdk.sessions.length);
    // retryAt: only in status retrying; in the future unless the clock jumped since; undefined only while offline.
    if (state.retryAt !== undefined) {
      expect(state.status, `${where}: retryAt set`).toBe('retrying');
      if (lastSleepStart < lastRetryScheduledAt) expect(state.retryAt, `${where}: retryAt in the past`).toBeGreaterThan(clock.now());
    } else if (state.status === 'retrying') {
      expect(env.online, `${where}: retrying online without retryAt`).toBe(false);
    }
    // error: set in statuses retrying and error; cleared once unregistered (idle).
    if ((state.status === 'retrying' || state.status === 'error')) expect(state.error, where).toBeDefined();
    if (state.status === 'idle') expect(state.error, `${where}: error after unregister`).toBeUndefined();
    // renewAt/expiresAt of the session as it was registered (JWT, getToken: renewed on a timer): after the
    // registration, not before halfway to expiry, before expiry. A non-JWT session has neither.
    if (state.session && state.session === lastRegistered?.session && state.error === undefined) {
      if (lastRegistered.mode !== 'jwt') {
        expect({ expiresAt: state.expiresAt, renewAt: state.renewAt }, where).toEqual({ expiresAt: undefined, renewAt: undefined });
      } else {
        expect(state.renewAt, `${where}: jwt session without renewAt`).toBeDefined();
        expect(state.expiresAt, `${where}: jwt session without expiresAt`).toBeDefined();
        const { at } = lastRegistered;
        const renewAt = state.renewAt as number;
        const expiresAt = state.expiresAt as number;
        const issued = tokenOf(state.session as unknown as FakeSession);
        const fresh = issued ? issued.iat > lastSleepStart : false;
        if (fresh) {
          expect(renewAt, `${where}: renewAt not after the registration`).toBeGreaterThan(at);
          expect(renewAt, `${where}: renewAt earlier than halfway to expiry`).toBeGreaterThanOrEqual(Math.floor(at + (expiresAt - at) / 2));
          expect(renewAt, `${where}: renewAt not before expiresAt`).toBeLessThan(expiresAt);
        }
      }
    }
  };

  for (const [index, current] of script.entries()) {
    steps += 1;
    currentStep = current.kind;
    switch (current.kind) {
      case 'mount':
        engine.start();
        break;
      case 'unmount':
        abortPending();
        engine.stop();
        break;
      case 'config':
        engine.setOptions({ ...base, auth: auth(current.variant, sign) });
        break;
      case 'register':
        track('register', engine.register());
        break;
      case 'renew':
        track('renew', engine.renew());
        break;
      case 'unregister':
        abortPending();
        track('unregister', engine.unregister());
        break;
      case 'outcome': {
        const outcomes: Record<typeof current.outcome, () => RegisterOutcome | undefined> = {
          ok: () => ({ kind: 'ok' }),
          network: () => ({ kind: 'reject', error: { code: 5, error: new Error('[object Object]') } }),
          refused: () => ({ kind: 'reject', error: Object.assign(new Error('HTTP 401'), { code: 13, httpCode: 401 }) }),
          hang: () => ({ kind: 'hang' }),
          late: () => {
            manual.push(sdk.manual());
            return undefined;
          },
        };
        const outcome = outcomes[current.outcome]();
        if (outcome) sdk.outcomes.push(outcome);
        break;
      }
      case 'settle': {
        const pending = manual.findIndex(() => true);
        if (pending >= 0) {
          try {
            manual[pending]?.settle(current.ok ? 'ok' : { error: { code: 5, error: new Error('late failure') } });
            manual.splice(pending, 1);
          } catch {
            // that register() was not called yet: leave it queued
          }
        }
        break;
      }
      case 'advance':
        await clock.advance(current.ms);
        break;
      case 'sleep':
        lastSleepStart = clock.now();
        clock.jump(current.ms);
        break;
      case 'wake':
        env.wake();
        break;
      case 'offline':
        env.goOffline();
        break;
      case 'online':
        env.goOnline();
        break;
      case 'connection':
        sdk.userAgents.at(-1)?.emit('ccsConnectionStatus', { status: current.status });
        break;
    }
    await flush();
    check(`step ${index}: ${JSON.stringify(current)}`);
  }

  // Unmount, let every late register() settle: nothing may be left behind.
  currentStep = 'end';
  abortPending();
  engine.stop();
  for (const pending of manual) {
    try {
      pending.settle('ok');
    } catch {
      // never called: nothing to settle
    }
  }
  await clock.advance(20_000); // unregister timeouts of hung UserAgents
  expect(sdk.liveSessions, 'a session outlived unmount').toEqual([]);
  expect(engine.getSnapshot().status).toBe('idle');
  expect({ timers: clock.pending, listeners: env.listeners, ua: sdk.listenerCount }).toEqual({ timers: 0, listeners: 0, ua: 0 });
  // ---- added ----
  expect(violations, 'after unmount').toEqual([]);
  expect(actions.filter((action) => action.state === 'pending').map((action) => action.kind), 'actions still pending after unmount').toEqual([]);
  expect([...open].filter(([, count]) => count > 0), 'registered sessions without unregistered after unmount').toEqual([]);
  expect(registeredEvents + staleEvents, 'sessions vs registered + stale events after unmount').toBe(sdk.sessions.length);
  runs += 1;
}

afterAll(() => {
  console.log(`engine properties: ${runs} runs, ${steps} steps`);
});

it(`keeps its invariants over ${RUNS} random interleavings`, async () => {
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60 }), play), { numRuns: RUNS });
}, 600_000);
