import { afterEach, beforeAll } from 'vitest';
import type { ApiRtcCloudOptions } from '../../src/cloud/index.js';
import { FAST_FAIL_OPTIONS, loadApiRtc, type ApiRtc, type RegisterInformation, type UserAgent } from './apirtc-sdk.js';
import { TEST_CLOUD_OPTIONS, setupLocalCloud, waitForNoSessions, type CloudFixture } from './cloud.js';

export interface SdkCloudFixture extends CloudFixture {
  /** The real @apirtc/apirtc, loaded in jsdom (beforeAll). */
  readonly apiRTC: ApiRtc;
  /** A UserAgent that is unregistered after the test. Keep one registered at a time: the SDK's socket layer is a singleton. */
  userAgent(uri: string): UserAgent;
  /** `register()` options for this cloud: cloudUrl plus FAST_FAIL_OPTIONS, then `extra`. */
  registerOptions(extra?: RegisterInformation): RegisterInformation;
}

/** How long cleanup waits for an unregister() (a stuck UserAgent may never answer). */
const UNREGISTER_TIMEOUT_MS = 5000;

async function unregisterQuietly(ua: UserAgent): Promise<void> {
  if (!ua.isRegistered()) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    ua.unregister().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, UNREGISTER_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * The real SDK in jsdom plus a local cloud per test file. After each test every UserAgent it made is
 * unregistered and the cloud is left without live sessions. Use in *.sdk.test.ts files (jsdom project).
 */
export function setupSdkWithCloud(options: ApiRtcCloudOptions = TEST_CLOUD_OPTIONS): SdkCloudFixture {
  const base = setupLocalCloud(options);
  const agents: UserAgent[] = [];
  let apiRTC: ApiRtc | undefined;
  beforeAll(async () => {
    apiRTC = await loadApiRtc();
  });
  afterEach(async () => {
    for (const ua of agents.splice(0).reverse()) await unregisterQuietly(ua);
    await waitForNoSessions(base.cloud);
  });
  return {
    get cloud() {
      return base.cloud;
    },
    signToken: (tokenOptions) => base.signToken(tokenOptions),
    get apiRTC(): ApiRtc {
      if (!apiRTC) throw new Error('the SDK loads in beforeAll: use fixture.apiRTC inside tests');
      return apiRTC;
    },
    userAgent(uri: string): UserAgent {
      const api = this.apiRTC;
      const ua = new api.UserAgent({ uri });
      agents.push(ua);
      return ua;
    },
    registerOptions(extra: RegisterInformation = {}): RegisterInformation {
      return { cloudUrl: base.cloud.url, ...FAST_FAIL_OPTIONS, ...extra };
    },
  };
}

type Listenable = { on(event: string, listener: (payload: unknown) => void): unknown; removeListener(event: string, listener: (payload: unknown) => void): unknown };

/**
 * The next `event` of an SDK object (UserAgent, Session) whose payload passes `predicate`.
 * Subscribe before triggering the action. Rejects after `timeoutMs`.
 */
export function nextSdkEvent<T = unknown>(
  target: Listenable,
  event: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (payload: unknown) => {
      if (!predicate(payload as T)) return;
      clearTimeout(timer);
      target.removeListener(event, listener);
      resolve(payload as T);
    };
    const timer = setTimeout(() => {
      target.removeListener(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    target.on(event, listener);
  });
}

/** `ccsConnectionStatus` payloads of a UserAgent. */
export interface CcsStatusEvent {
  status: 'connected' | 'disconnected' | 'retry' | 'error';
}

export function ccsStatus(ua: UserAgent, status: CcsStatusEvent['status'], timeoutMs?: number): Promise<CcsStatusEvent> {
  return nextSdkEvent<CcsStatusEvent>(ua, 'ccsConnectionStatus', (event) => event.status === status, timeoutMs);
}

/** What register() rejected with, for assertions: `{ code, message, httpCode }` whatever the SDK's shape. */
export interface SdkFailure {
  code: unknown;
  httpCode: unknown;
  message: string;
}

export async function registerFailure(registering: Promise<unknown>): Promise<SdkFailure> {
  let failure: unknown;
  try {
    await registering;
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) throw new Error('register() succeeded, a refusal was expected');
  const shape = failure as { code?: unknown; httpCode?: unknown; error?: unknown; message?: unknown };
  const inner = shape.error instanceof Error ? shape.error.message : undefined;
  const message = inner ?? (typeof shape.message === 'string' ? shape.message : String(failure));
  return { code: shape.code, httpCode: shape.httpCode, message };
}
