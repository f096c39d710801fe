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
 * retry settings...), so `@apirtc/react-lib`'s `useSession` options fit as they are. The `cloudUrl` prop wins
 * over a `cloudUrl` here; in login mode `password`, in JWT mode `id` and `token` come from `auth` (here they are
 * `INVALID_CONFIG`, as is anything that is not a plain object or a `userData` that is not JSON).
 *
 * @example
 * ```tsx
 * <AuthProvider auth={auth} registerOptions={{ groups: ['support'], userData: { nickname: 'Alice' } }} />
 * ```
 */
export type RegisterOptions = RegisterInformation;

/** What decides the Session: a change to any of these (by value) re-registers. */
export interface SessionConfig {
  /**
   * How the UserAgent authenticates: anonymous (`apiKey`), an ApiRTC account (`login`), or a customer JWT
   * (`jwt`, with a literal `token`, a `getToken` function or a `tokenUrl`).
   *
   * @example
   * ```ts
   * { mode: 'jwt', apiKey: 'myApiKey', userId: 'alice', tokenUrl: '/api/apirtc-token' }
   * ```
   */
  auth: AuthConfig;
  /**
   * The ApiRTC cloud: an http(s) URL.
   *
   * @defaultValue `registerOptions.cloudUrl`, else `'https://cloud.apirtc.com'`
   * @example
   * ```tsx
   * <AuthProvider auth={auth} cloudUrl="http://127.0.0.1:3010" /> // the local cloud (npx apirtc-local-cloud)
   * ```
   */
  cloudUrl?: string;
  /**
   * Passed to `ua.register()`: see {@link RegisterOptions}.
   *
   * @defaultValue `{}`
   */
  registerOptions?: RegisterOptions;
}

/** Everything AuthProvider (or a SessionEngine) takes: the session config plus policy and test seams. */
export interface SessionEngineOptions extends SessionConfig {
  /**
   * Register as soon as started (mounted). With `false`, call `register()` yourself; turned on later, it registers
   * then; turned off, it leaves a live session alone.
   *
   * @defaultValue `true`
   * @example
   * ```tsx
   * <AuthProvider auth={auth} autoRegister={false}>  // a "Connect" button calls useApiRtcSession().register()
   * ```
   */
  autoRegister?: boolean;
  /**
   * When to renew a JWT before it expires: lead, jitter, deferral during calls (docs/renewal.md).
   *
   * @defaultValue `{ leadMs: a fifth of the lifetime (at most 5 min), jitter: 0.5, deferWhileInConversation: false }`
   * @example
   * ```tsx
   * <AuthProvider auth={auth} renewal={{ deferWhileInConversation: true }} />
   * ```
   */
  renewal?: RenewalOptions;
  /**
   * `register()` (and `unregister()`) has no timeout of its own in the SDK and can hang forever; give up after this
   * and retry on a new UserAgent. Above 0, at most 2^31-1.
   *
   * @defaultValue `15000` (ms)
   */
  registerTimeoutMs?: number;
  /**
   * A `getToken`/`tokenUrl` call that takes longer fails (retryable).
   *
   * @defaultValue `15000` (ms)
   */
  tokenTimeoutMs?: number;
  /**
   * After the socket drops, how long to wait for the SDK's own reconnect before registering again on a new
   * UserAgent (a refused reconnect does not wait: the SDK never reconnects after one).
   *
   * @defaultValue `20000` (ms)
   */
  reconnectTimeoutMs?: number;
  /**
   * Backoff for failures that may pass: `baseDelayMs * 2^(n-1)` capped at `maxDelayMs`, half of it random.
   *
   * @defaultValue `{ baseDelayMs: 1000, maxDelayMs: 30000 }`
   * @example
   * ```tsx
   * <AuthProvider auth={auth} retry={{ baseDelayMs: 500, maxDelayMs: 10_000 }} />
   * ```
   */
  retry?: RetryOptions;
  /**
   * Called for every engine event; read through a latest-ref (an inline function is fine). Never receives a secret.
   * `engine.subscribeEvents()` gives the same events to more than one reader.
   *
   * @example
   * ```tsx
   * <AuthProvider auth={auth} onEvent={(event) => console.debug('[apirtc]', event.type, event)} />
   * ```
   */
  onEvent?: (event: SessionEvent) => void;
  /**
   * Loads the SDK module (a seam for tests and unusual hosts). A loader of your own should set the SDK's log level
   * to warn, as the default does: at info it logs the customer token.
   *
   * @defaultValue `import('@apirtc/apirtc')`, in its own chunk, log level warn
   */
  loadSdk?: LoadSdk;
  /**
   * Wall clock, timers and, optionally, a monotonic clock (a seam for tests).
   *
   * @defaultValue `Date.now`, the global timers and `performance.now()`
   */
  clock?: Clock;
  /**
   * Where wake-ups and connectivity are heard, and which page the engine is on (one session per page).
   *
   * @defaultValue the page's `window`, `document` and `navigator.onLine` (none during server rendering)
   */
  environment?: Environment;
  /**
   * The jitter source for renewal and backoff, in [0, 1).
   *
   * @defaultValue `Math.random`
   */
  random?: () => number;
  /**
   * The fetch for `tokenUrl`.
   *
   * @defaultValue the global `fetch`
   */
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
