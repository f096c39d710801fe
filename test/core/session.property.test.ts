/**
 * Property-based tests of the engine: random interleavings of mount/unmount, config changes,
 * register outcomes (resolve, reject, hang, late), clock advances and jumps, wake-ups, offline/online,
 * connection events and the actions. After every step the invariants must hold; after unmount nothing
 * may be left. Runs on the fake SDK and the injectable clock, so thousands of runs take seconds.
 */
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/core/credentials.js';
import type { SessionEngineOptions } from '../../src/core/session.js';
import { API_KEY, setupEngine, signTokenNow, USER_ID } from '../support/engine.js';
import { flush } from '../support/fake-clock.js';
import type { FakeSession, RegisterOutcome } from '../support/fake-sdk.js';

// PROPERTY_RUNS=20000 npx vitest run test/core/session.property.test.ts for a deeper search.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3_000);
let runs = 0;
let steps = 0;

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
      return { mode: 'login', login: 'bob', password: 'pw' };
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
  const harness = setupEngine({ reconnectTimeoutMs: 10_000, registerTimeoutMs: 15_000 });
  const { engine, sdk, clock, env } = harness;
  const sign = () => signTokenNow(clock, { expiresIn: 60 });
  const base: SessionEngineOptions = { ...harness.options, auth: auth(3, sign) };
  engine.setOptions(base);
  const manual: Array<{ settle: (result: 'ok' | { error: unknown }) => void }> = [];
  let lastSleepStart = Number.NEGATIVE_INFINITY;
  const swallow = (promise: Promise<unknown>) => promise.catch(() => {});

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
  };

  for (const [index, current] of script.entries()) {
    steps += 1;
    switch (current.kind) {
      case 'mount':
        engine.start();
        break;
      case 'unmount':
        engine.stop();
        break;
      case 'config':
        engine.setOptions({ ...base, auth: auth(current.variant, sign) });
        break;
      case 'register':
        swallow(engine.register());
        break;
      case 'renew':
        swallow(engine.renew());
        break;
      case 'unregister':
        swallow(engine.unregister());
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
  runs += 1;
}

afterAll(() => {
  console.log(`engine properties: ${runs} runs, ${steps} steps`);
});

it(`keeps its invariants over ${RUNS} random interleavings`, async () => {
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60 }), play), { numRuns: RUNS });
}, 600_000);
