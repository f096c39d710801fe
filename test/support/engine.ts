import { createHmac, randomUUID } from 'node:crypto';
import { createApiRtcToken, type CreateApiRtcTokenOptions } from '../../src/server/token.js';
import { SessionEngine } from '../../src/core/engine/store.js';
import type { SessionEngineOptions } from '../../src/core/options.js';
import type { SessionEvent } from '../../src/core/events.js';
import type { SessionSnapshot, SessionStatus } from '../../src/core/state.js';
import { FakeClock, FakeEnvironment, flush } from './fake-clock.js';
import { FakeSdk } from './fake-sdk.js';

// The engine loads its driver with a dynamic import on first use; load it once up front, so that in
// tests driven by the fake clock it arrives within one flush().
await import('../../src/core/engine/runner.js');

export const API_KEY = 'test-api-key';
export const SECRET = 'test-secret-that-never-leaves-the-server';
export const USER_ID = 'alice';

/** A SessionEngine on the fake SDK, a fake clock and a fake window, recording every event. */
export function setupEngine(overrides: Partial<SessionEngineOptions> = {}) {
  const clock = new FakeClock();
  const env = new FakeEnvironment();
  const sdk = new FakeSdk();
  const events: SessionEvent[] = [];
  const options: SessionEngineOptions = {
    auth: { mode: 'apiKey', apiKey: API_KEY },
    cloudUrl: 'http://127.0.0.1:9',
    clock,
    environment: env,
    loadSdk: sdk.load,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...overrides,
  };
  const engine = new SessionEngine(options);
  const statuses = (): SessionStatus[] => events.flatMap((event) => (event.type === 'status' ? [event.status] : []));
  /** Nothing left behind: no timer, no window/document listener, no UserAgent listener. */
  const leftovers = () => ({ timers: clock.pending, windowListeners: env.listeners, uaListeners: sdk.listenerCount });
  return { options, clock, env, sdk, engine, events, statuses, leftovers, flush };
}

/** A real HS256 customer JWT, signed with jose (createApiRtcToken) on the fake clock. */
export function signToken(clock: FakeClock, options: Partial<CreateApiRtcTokenOptions> = {}): Promise<string> {
  return createApiRtcToken({ apiKey: API_KEY, secret: SECRET, userId: USER_ID, expiresIn: 60, now: clock.now, ...options });
}

/**
 * The same token, signed synchronously with node:crypto. WebCrypto signs on a worker thread, so a
 * jose signature inside a token source would race the fake clock; this one completes in the same tick.
 * test/core/engine-support.test.ts checks that both produce the same header and claims.
 */
export function signTokenNow(clock: FakeClock, options: { expiresIn?: number; userId?: string; apiKey?: string; now?: number } = {}): string {
  const iat = Math.floor((options.now ?? clock.now()) / 1000);
  const claims = {
    grants: { apiRTC_UserAgent_Id: options.userId ?? USER_ID },
    sub: options.apiKey ?? API_KEY,
    aud: 'apiRTC',
    iat,
    exp: iat + (options.expiresIn ?? 60),
    jti: randomUUID(),
  };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

/** Resolves with the engine's state once `predicate` holds (waits on the store, never sleeps). */
export function untilState(
  engine: Pick<SessionEngine, 'subscribe' | 'getSnapshot'>,
  predicate: (state: SessionSnapshot) => boolean,
  timeoutMs = 10_000,
): Promise<SessionSnapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = engine.getSnapshot();
      if (!predicate(state)) return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
      return true;
    };
    const timer = setTimeout(() => {
      unsubscribe();
      const { status, error } = engine.getSnapshot();
      reject(new Error(`state not reached within ${timeoutMs} ms (status ${status}${error ? `, ${error.code}: ${error.message}` : ''})`));
    }, timeoutMs);
    const unsubscribe = engine.subscribe(check);
    check();
  });
}
