import type ApiRtcNamespace from '@apirtc/apirtc';

/** The @apirtc/apirtc module (its `export =` namespace). */
export type ApiRtc = typeof ApiRtcNamespace;
export type UserAgent = ApiRtcNamespace.UserAgent;
export type Session = ApiRtcNamespace.Session;
export type RegisterInformation = ApiRtcNamespace.RegisterInformation;

/**
 * Register options that make an unreachable or broken cloud fail fast instead of after the SDK's
 * defaults (100 retries: about 17 minutes). 0 is falsy for the SDK and silently becomes its default,
 * so every value is small but non-zero. These settings live on the SDK's global singleton.
 */
export const FAST_FAIL_OPTIONS = {
  cloudFetchRetries: 1,
  cloudFetchRetryDelay: 20,
  extJsLoadingRetryNb: 2,
  extJsLoadingRetryDelay: 20,
  ccsConnectionRetryNb: 20,
  ccsConnectionRetryDelay: 50,
} as const satisfies RegisterInformation;

let loading: Promise<ApiRtc> | undefined;

/**
 * Loads the real SDK in the jsdom environment (once per test file). The socket.io client must be
 * the global `io` before the SDK registers: the script jsdom runs for /socket.io/v3/socket.io.js defines
 * `io` on jsdom's own window, which the SDK (loaded through Vitest) does not see.
 * The log level goes to warn: at info the SDK logs the customer token.
 */
export function loadApiRtc(): Promise<ApiRtc> {
  loading ??= (async () => {
    if (typeof window === 'undefined') throw new Error('loadApiRtc() needs a DOM: name the test file *.sdk.test.ts (jsdom project)');
    const { io } = await import('socket.io-client');
    (globalThis as { io?: unknown }).io = io;
    const module = (await import('@apirtc/apirtc')) as ApiRtc & { default?: ApiRtc };
    const apiRTC = module.default ?? module;
    apiRTC.setLogLevel(apiRTC.LOG_LEVEL_WARN);
    return apiRTC;
  })();
  return loading;
}
