import type { RegisterInformation } from '@apirtc/apirtc';
import type { Clock } from './clock.js';
import type { AuthConfig } from './auth.js';
import type { RetryOptions } from './backoff.js';
import type { Environment } from './environment.js';
import type { RenewalOptions } from './renewal.js';
import type { LoadSdk } from './sdk.js';
import type { SessionEvent } from './events.js';

/**
 * Passed through to `ua.register()`: the SDK's own `RegisterInformation` (groups, subscribeTo, userData, its
 * retry settings...), so @apirtc/react-lib's `useSession` options fit as they are. The `cloudUrl` prop wins
 * over a `cloudUrl` here; in login mode `password`, in JWT mode `id` and `token` come from `auth`.
 */
export type RegisterOptions = RegisterInformation;

/** What decides the Session: a change to any of these (by value) re-registers. */
export interface SessionConfig {
  auth: AuthConfig;
  /** Default: `registerOptions.cloudUrl`, else `https://cloud.apirtc.com`. */
  cloudUrl?: string;
  registerOptions?: RegisterOptions;
}

/** Everything AuthProvider (or a SessionEngine) takes: the session config plus policy and test seams. */
export interface SessionEngineOptions extends SessionConfig {
  /** Register as soon as started (mounted). Default true. */
  autoRegister?: boolean;
  /** When to renew a JWT before it expires: lead, jitter, deferral during calls (README "Renewal policy"). */
  renewal?: RenewalOptions;
  /** register() has no timeout of its own and can hang forever; give up after this. Default 15000 ms. */
  registerTimeoutMs?: number;
  /** A getToken/tokenUrl call that takes longer fails (retryable). Default 15000 ms. */
  tokenTimeoutMs?: number;
  /** After the socket drops, how long to wait for the SDK's own reconnect before re-registering. Default 20000 ms. */
  reconnectTimeoutMs?: number;
  /** Backoff for failures that may pass. */
  retry?: RetryOptions;
  /** Called for every engine event; read through a latest-ref. Never receives a secret. */
  onEvent?: (event: SessionEvent) => void;
  /** Loads the SDK module. Default: `import('@apirtc/apirtc')` with its log level set to warn (at info it logs the token). */
  loadSdk?: LoadSdk;
  /** Wall clock and timers. Default: `Date.now` and the global timers. */
  clock?: Clock;
  /** Where wake-ups and connectivity are heard. Default: the page's window, document and `navigator.onLine`. */
  environment?: Environment;
  /** The jitter source for renewal and backoff, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** The fetch for `tokenUrl`. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** ApiRTC's cloud, used when `cloudUrl` is not given. */
export const DEFAULT_CLOUD_URL = 'https://cloud.apirtc.com';

/**
 * The SDK's defaults make an unreachable cloud fail after about 17 minutes and a missing socket
 * script hang forever. These make both fail in about a second; registerOptions can override them.
 * (0 is falsy in the SDK and silently becomes its default, hence 1.)
 */
export const FAST_FAIL_REGISTER_OPTIONS = {
  cloudFetchRetries: 2,
  cloudFetchRetryDelay: 250,
  extJsLoadingRetryNb: 2,
  extJsLoadingRetryDelay: 250,
} as const;

/** The cloud to register with: the `cloudUrl` prop, else `registerOptions.cloudUrl`, else ApiRTC's. */
export function cloudUrlOf(config: SessionConfig): string {
  return config.cloudUrl ?? config.registerOptions?.cloudUrl ?? DEFAULT_CLOUD_URL;
}
