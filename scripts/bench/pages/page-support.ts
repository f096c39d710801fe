/**
 * What every page of the browser bench (scripts/bench/browser.ts) shares: its settings from the query string,
 * the token endpoint, and the marks the bench reads back. Times are `performance.now()`, ms since the
 * navigation started (the page's time origin).
 *
 * Query: `cloud` (the local cloud's URL), `key` (its apiKey), `user` (the user id to register).
 */
import type { RegisterInformation, UserAgent } from '@apirtc/apirtc';
import { FAST_FAIL_REGISTER_OPTIONS } from '../../../src/core/options.js';

const query = new URLSearchParams(location.search);
const required = (name: string): string => {
  const value = query.get(name);
  if (!value) throw new Error(`the bench page needs ?${name}=`);
  return value;
};

export const cloudUrl = required('cloud');
export const apiKey = required('key');
export const userId = required('user');
/** Served by the bench's static server, next to the page (same origin, as an app's own API would be). */
export const tokenUrl = `/token?user=${encodeURIComponent(userId)}`;

/** One renewal as the page saw it: called, old session gone, new session registered. */
export interface RenewalTiming {
  start: number;
  gone: number;
  registered: number;
}

export interface BenchGlobal {
  /** When the page first had a registered session. */
  registered?: number;
  /** A failure that ends the run. */
  error?: string;
  /** Re-registers with a fresh token (the provider's `renew()`, or the bare page's unregister + register). */
  renew?: () => Promise<RenewalTiming>;
  /** The engine's events (provider pages), stamped. */
  events: { type: string; t: number }[];
  /** The main thread's long tasks (50 ms and more: evaluating the SDK, rendering), for the waterfall. */
  longTasks: { start: number; duration: number }[];
}

declare global {
  interface Window {
    __bench: BenchGlobal;
  }
}

export const bench: BenchGlobal = (window.__bench = { events: [], longTasks: [] });

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

export function markRegistered(): void {
  if (bench.registered !== undefined) return;
  performance.mark('registered');
  bench.registered = performance.now();
}

export function fail(error: unknown): void {
  bench.error = error instanceof Error ? error.message : JSON.stringify(error);
}

/** What a hand-written page does: POST to its token endpoint (the same request `tokenUrl` makes). */
export async function fetchToken(reason: 'initial' | 'renewal'): Promise<string> {
  const response = await fetch(tokenUrl, { method: 'POST', headers: { accept: 'application/json' }, body: JSON.stringify({ reason }) });
  if (!response.ok) throw new Error(`the token endpoint answered HTTP ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

interface SdkModule {
  UserAgent: new (options: { uri: string }) => UserAgent;
  setLogLevel?(level: number): void;
  LOG_LEVEL_WARN?: number;
}

/**
 * The SDK module, taken and set up exactly as the engine does (src/core/sdk.ts), so that both kinds of page
 * run the same SDK code. (In a Vite production build `setLogLevel` sits one `default` deeper, so this, like
 * the engine, leaves the SDK's own default level; it logged nothing at that level in these runs.)
 */
export async function importSdk(): Promise<SdkModule> {
  const module = (await import('@apirtc/apirtc')) as unknown as SdkModule & { default?: SdkModule };
  const sdk = module.default ?? module;
  if (sdk.setLogLevel && sdk.LOG_LEVEL_WARN !== undefined) sdk.setLogLevel(sdk.LOG_LEVEL_WARN);
  return sdk;
}

/**
 * The bare pages' registration: a UserAgent for the apiKey, `register()` with the token and the same options
 * the engine passes; then `renew` does what an app without the package would: fetch a fresh token while
 * the session is live, `ua.unregister()`, `ua.register()` with it.
 */
export async function registerBare(sdk: SdkModule, token: string): Promise<void> {
  const ua = new sdk.UserAgent({ uri: `apiKey:${apiKey}` });
  const options = (fresh: string): RegisterInformation => ({ ...FAST_FAIL_REGISTER_OPTIONS, cloudUrl, id: userId, token: fresh });
  await ua.register(options(token));
  markRegistered();
  bench.renew = async () => {
    const start = performance.now();
    const fresh = await fetchToken('renewal');
    await ua.unregister();
    const gone = performance.now();
    await ua.register(options(fresh));
    return { start, gone, registered: performance.now() };
  };
}
