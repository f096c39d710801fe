/**
 * Parts (a) and (b), with the real @apirtc/apirtc in jsdom against the local cloud (which the
 * orchestrator runs in its own process). Run by scripts/bench/index.ts through Vitest, never by
 * `npm test`. Raw timestamps go back in task.meta; the orchestrator computes the statistics.
 */
import { decodeJwt } from 'jose';
import { useLayoutEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { inject, it } from 'vitest';
import {
  AuthProvider,
  FAST_FAIL_REGISTER_OPTIONS,
  useApiRtcSession,
  useSessionEngine,
  type AuthConfig,
  type SessionEngine,
  type SessionEvent,
  type SessionSnapshot,
} from '../../src/index.js';
import { createApiRtcToken } from '../../src/server/token.js';
import { loadApiRtc, type ApiRtc, type UserAgent } from '../../test/support/apirtc-sdk.js';
import { wallNow, type RegisterSample, type RenewalSample } from './protocol.js';
import { cloudSettled, deferred, noSessions, within } from './worker-support.js';

const input = inject('bench');
const RUN_TIMEOUT_MS = 15_000;

const sign = (userId: string): Promise<string> =>
  createApiRtcToken({ apiKey: input.apiKey, secret: input.secret, userId, expiresIn: 3600 });
const jtiOf = (token: string): string => String(decodeJwt(token).jti);
const selectStatus = (snapshot: SessionSnapshot) => snapshot.status;

/** When `ua.register()` was last called, by the engine or by the bare runs (the SDK's prototype, wrapped once). */
let lastRegisterCall = 0;
let stamped = false;
function stampRegisterCalls(apiRTC: ApiRtc): void {
  if (stamped) return;
  stamped = true;
  const prototype = apiRTC.UserAgent.prototype as unknown as { register: (...args: unknown[]) => unknown };
  const register = prototype.register;
  prototype.register = function (this: unknown, ...args: unknown[]) {
    lastRegisterCall = wallNow();
    return register.apply(this, args);
  };
}

/** register() options of the bare runs: exactly what the engine passes (see driver.ts registerParameters). */
function bareOptions(userId: string, token: string) {
  return { ...FAST_FAIL_REGISTER_OPTIONS, cloudUrl: input.cloudUrl, id: userId, token };
}

interface Mounted {
  root: Root;
  container: HTMLElement;
  engine: SessionEngine;
}

/**
 * Renders <AuthProvider> with react-dom (createRoot, no StrictMode, no act()) and a consumer of
 * useApiRtcSession(); resolves once registered. `marks` receives the provider-side timestamps.
 */
async function mountProvider(auth: AuthConfig, marks: Partial<RegisterSample>, onEvent: (event: SessionEvent) => void = () => {}): Promise<Mounted> {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  const registered = deferred();
  const committed = deferred();
  let engine: SessionEngine | undefined;

  function Consumer() {
    const status = useApiRtcSession(selectStatus);
    engine = useSessionEngine();
    useLayoutEffect(() => {
      marks.firstCommit ??= wallNow();
    }, []);
    useLayoutEffect(() => {
      if (status === 'registering') marks.registeringCommitted ??= wallNow();
      if (status === 'registered' && marks.committed === undefined) {
        marks.committed = wallNow();
        committed.resolve();
      }
    }, [status]);
    return <p>{status}</p>;
  }

  const handle = (event: SessionEvent) => {
    if (event.type === 'status' && event.status === 'registering') marks.registering ??= wallNow();
    if (event.type === 'registered' && marks.registered === undefined) {
      marks.registered = wallNow();
      registered.resolve();
    }
    if (event.type === 'error') registered.reject(event.error);
    onEvent(event);
  };

  marks.start = wallNow();
  root.render(
    <AuthProvider auth={auth} cloudUrl={input.cloudUrl} onEvent={handle}>
      <Consumer />
    </AuthProvider>,
  );
  await within(Promise.all([registered.promise, committed.promise]), RUN_TIMEOUT_MS, 'provider registration');
  if (!engine) throw new Error('the consumer did not render');
  return { root, container, engine };
}

async function unmountProvider({ root, container, engine }: Mounted): Promise<void> {
  await engine.unregister();
  root.unmount();
  container.remove();
  await cloudSettled(input.cloudUrl, noSessions);
}

// ---- (a) time to registered ----

async function providerRegisterOnce(userId: string): Promise<RegisterSample> {
  const token = await sign(userId);
  const marks: Partial<RegisterSample> = {};
  const mounted = await mountProvider({ mode: 'jwt', apiKey: input.apiKey, userId, token }, marks);
  const sdkRegister = lastRegisterCall;
  await unmountProvider(mounted);
  return { kind: 'provider', channelId: userId, sdkRegister, ...(marks as Omit<RegisterSample, 'kind' | 'channelId' | 'sdkRegister'>) };
}

async function bareRegisterOnce(apiRTC: ApiRtc, userId: string): Promise<RegisterSample> {
  const token = await sign(userId);
  const start = wallNow();
  const ua = new apiRTC.UserAgent({ uri: `apiKey:${input.apiKey}` });
  await within(ua.register(bareOptions(userId, token)), RUN_TIMEOUT_MS, 'bare register()');
  const registered = wallNow();
  const sdkRegister = lastRegisterCall;
  await ua.unregister();
  await cloudSettled(input.cloudUrl, noSessions);
  return { kind: 'bare', channelId: userId, start, registered, sdkRegister };
}

it.runIf(input.parts.includes('a'))('a: time to registered, provider vs bare SDK', async ({ task }) => {
  const apiRTC = await loadApiRtc();
  stampRegisterCalls(apiRTC);
  await cloudSettled(input.cloudUrl, noSessions);
  const cold: RegisterSample[] = [];
  const samples: RegisterSample[] = [];
  // The first runs load the driver chunk and the socket.io client script: kept apart as "cold".
  for (let i = 0; i < input.warmup; i += 1) {
    cold.push(await providerRegisterOnce(`a-warm-${i}-p`));
    cold.push(await bareRegisterOnce(apiRTC, `a-warm-${i}-b`));
  }
  for (let i = 0; i < input.registerPairs; i += 1) {
    // Alternate which goes first, so neither always follows the other.
    if (i % 2 === 0) {
      samples.push(await providerRegisterOnce(`a-${i}-p`));
      samples.push(await bareRegisterOnce(apiRTC, `a-${i}-b`));
    } else {
      samples.push(await bareRegisterOnce(apiRTC, `a-${i}-b`));
      samples.push(await providerRegisterOnce(`a-${i}-p`));
    }
  }
  task.meta.bench = { register: { samples, cold } };
});

// ---- (b) renewal blackout ----

/** One mounted provider in JWT mode with a getToken source, renewed `count` times through renew(). */
async function providerRenewals(userId: string, count: number): Promise<RenewalSample[]> {
  const queue: string[] = [await sign(userId)];
  let current: Partial<RenewalSample> = {};
  let registered = deferred();
  const onEvent = (event: SessionEvent) => {
    if (event.type === 'unregistered') current.gone ??= wallNow();
    if (event.type === 'registered') {
      current.registered ??= wallNow();
      registered.resolve();
    }
  };
  const getToken = async (): Promise<string> => {
    const token = queue.shift();
    if (!token) throw new Error('no token queued');
    return token;
  };
  let live = queue[0] as string;
  const mounted = await mountProvider({ mode: 'jwt', apiKey: input.apiKey, userId, getToken }, {}, onEvent);
  const samples: RenewalSample[] = [];
  for (let i = 0; i < count; i += 1) {
    const next = await sign(userId);
    queue.push(next);
    await cloudSettled(input.cloudUrl, (sessions) => sessions.length === 1 && sessions[0]?.jti === jtiOf(live));
    current = {};
    registered = deferred();
    current.start = wallNow();
    await within(mounted.engine.renew(), RUN_TIMEOUT_MS, 'provider renew()');
    await registered.promise;
    samples.push({ kind: 'provider', oldJti: jtiOf(live), newJti: jtiOf(next), ...(current as Pick<RenewalSample, 'start' | 'gone' | 'registered'>) });
    live = next;
  }
  await unmountProvider(mounted);
  return samples;
}

/** One bare UserAgent, re-registered `count` times: `ua.unregister()` then `ua.register()` with a fresh token. */
async function bareRenewals(apiRTC: ApiRtc, userId: string, count: number): Promise<RenewalSample[]> {
  let live = await sign(userId);
  const ua: UserAgent = new apiRTC.UserAgent({ uri: `apiKey:${input.apiKey}` });
  await within(ua.register(bareOptions(userId, live)), RUN_TIMEOUT_MS, 'bare register()');
  const samples: RenewalSample[] = [];
  for (let i = 0; i < count; i += 1) {
    const next = await sign(userId);
    await cloudSettled(input.cloudUrl, (sessions) => sessions.length === 1 && sessions[0]?.jti === jtiOf(live));
    const start = wallNow();
    await within(ua.unregister(), RUN_TIMEOUT_MS, 'bare unregister()');
    const gone = wallNow();
    await within(ua.register(bareOptions(userId, next)), RUN_TIMEOUT_MS, 'bare register()');
    const registered = wallNow();
    samples.push({ kind: 'bare', start, gone, registered, oldJti: jtiOf(live), newJti: jtiOf(next) });
    live = next;
  }
  await ua.unregister();
  await cloudSettled(input.cloudUrl, noSessions);
  return samples;
}

it.runIf(input.parts.includes('b'))('b: renewal blackout, provider vs bare SDK', async ({ task }) => {
  const apiRTC = await loadApiRtc();
  await cloudSettled(input.cloudUrl, noSessions);
  // Warm-up: one short block of each, discarded.
  await providerRenewals('b-warm-p', input.warmup);
  await bareRenewals(apiRTC, 'b-warm-b', input.warmup);
  const samples: RenewalSample[] = [];
  for (let block = 0; block < input.renewalBlocks; block += 1) {
    // One UserAgent at a time: a whole block of one kind, then a block of the other, alternating who starts.
    const provider = () => providerRenewals(`b-${block}-p`, input.renewalsPerBlock);
    const bare = () => bareRenewals(apiRTC, `b-${block}-b`, input.renewalsPerBlock);
    const [first, second] = block % 2 === 0 ? [provider, bare] : [bare, provider];
    samples.push(...(await first()), ...(await second()));
  }
  task.meta.bench = { renewal: { samples } };
});
