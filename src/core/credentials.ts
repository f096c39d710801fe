import { ApiRtcAuthError, requireText } from './errors.js';
import type { SessionEngineOptions } from './options.js';

/** Why a token is asked for: informational, passed to `getToken` and to the token endpoint. */
export const TOKEN_REASONS = Object.freeze(['initial', 'renew', 'expired', 'refused', 'retry'] as const);
export type TokenReason = (typeof TOKEN_REASONS)[number];

/** What `getToken` is called with. */
export interface GetTokenContext {
  /** Aborted when the token is no longer wanted (unmount, config change, unregister). */
  signal: AbortSignal;
  reason: TokenReason;
}

/** Your token source: resolves with a customer JWT for `auth.userId` (fetched from your server). */
export type GetToken = (context: GetTokenContext) => Promise<string>;

/** Anonymous: `new UserAgent({ uri: 'apiKey:' + apiKey })`, `register()`. */
export interface ApiKeyAuth {
  mode: 'apiKey';
  apiKey: string;
}

/** ApiRTC account: `new UserAgent({ uri: 'apirtc:' + login })`, `register({ password })`. */
export interface LoginAuth {
  mode: 'login';
  login: string;
  password: string;
}

interface JwtAuthBase {
  mode: 'jwt';
  apiKey: string;
  /** Registered as `register({ id: userId, token })`; must equal the token's `grants.apiRTC_UserAgent_Id`. */
  userId: string;
}

/** A fixed token. It is not renewed on a timer: pass a new `token` to re-register with it. */
export interface JwtLiteralAuth extends JwtAuthBase {
  token: string;
}

/** Tokens from your own code, e.g. a call to your backend. Read through a latest-ref: an inline function is fine. */
export interface JwtGetTokenAuth extends JwtAuthBase {
  getToken: GetToken;
}

/** Tokens from a token endpoint speaking the `apirtc-react-auth/server` handler's contract. */
export interface JwtTokenUrlAuth extends JwtAuthBase {
  tokenUrl: string;
  /** Extra fetch options (headers, credentials) for the token request. */
  tokenRequestInit?: Omit<RequestInit, 'method' | 'body' | 'signal'>;
}

/** JWT mode, with one of three token sources. */
export type JwtAuth = JwtLiteralAuth | JwtGetTokenAuth | JwtTokenUrlAuth;
/** The `auth` prop: how the UserAgent authenticates. */
export type AuthConfig = ApiKeyAuth | LoginAuth | JwtAuth;
/** `'apiKey' | 'login' | 'jwt'`. */
export type AuthMode = AuthConfig['mode'];

/** The fixed token of JWT mode, if one is set (`token: undefined` beside `getToken` is none). */
export function literalToken(auth: AuthConfig): string | undefined {
  return auth.mode === 'jwt' && 'token' in auth ? auth.token : undefined;
}

/** Checks `auth` before any network call; throws INVALID_CONFIG naming the field at fault. Returns the UserAgent uri. */
export function validateAuth(auth: unknown): string {
  if (typeof auth !== 'object' || auth === null) {
    throw new ApiRtcAuthError('INVALID_CONFIG', "auth is required: { mode: 'apiKey' | 'login' | 'jwt', ... }", { field: 'auth' });
  }
  const config = auth as Partial<Record<string, unknown>>;
  switch (config.mode) {
    case 'apiKey':
      return 'apiKey:' + requireText('auth.apiKey', config.apiKey, { noColon: true, noWhitespace: true });
    case 'login': {
      const login = requireText('auth.login', config.login, { noColon: true, noWhitespace: true });
      if (typeof config.password !== 'string' || config.password === '') {
        throw new ApiRtcAuthError('INVALID_CONFIG', 'auth.password is required and must be a non-empty string', { field: 'auth.password' });
      }
      return 'apirtc:' + login;
    }
    case 'jwt': {
      const uri = 'apiKey:' + requireText('auth.apiKey', config.apiKey, { noColon: true, noWhitespace: true });
      requireText('auth.userId', config.userId, { urlSafe: true });
      const sources = (['token', 'getToken', 'tokenUrl'] as const).filter((name) => config[name] !== undefined);
      if (sources.length !== 1) {
        throw new ApiRtcAuthError('INVALID_CONFIG', 'auth in jwt mode needs exactly one of token, getToken or tokenUrl', { field: 'auth.token' });
      }
      if (config.getToken !== undefined && typeof config.getToken !== 'function') {
        throw new ApiRtcAuthError('INVALID_CONFIG', 'auth.getToken must be a function returning a Promise of a JWT', { field: 'auth.getToken' });
      }
      if (config.tokenUrl !== undefined) requireText('auth.tokenUrl', config.tokenUrl, { noWhitespace: true });
      if (config.tokenRequestInit !== undefined) checkRequestInit(config.tokenRequestInit);
      if (config.token !== undefined && typeof config.token !== 'string') {
        throw new ApiRtcAuthError('INVALID_CONFIG', 'auth.token must be a JWT string', { field: 'auth.token' });
      }
      return uri;
    }
    default:
      throw new ApiRtcAuthError('INVALID_CONFIG', "auth.mode must be 'apiKey', 'login' or 'jwt'", { field: 'auth.mode' });
  }
}

/** Refuses headers fetch would refuse, naming the field only: the runtime's own message may quote the value (a secret). */
function checkRequestInit(init: unknown): void {
  const field = 'auth.tokenRequestInit';
  if (typeof init !== 'object' || init === null) throw new ApiRtcAuthError('INVALID_CONFIG', `${field} must be an object of fetch options`, { field });
  try {
    new Headers((init as RequestInit).headers);
  } catch {
    throw new ApiRtcAuthError('INVALID_CONFIG', `${field}.headers holds an invalid header name or value`, { field: `${field}.headers` });
  }
}

/** setTimeout's ceiling: above it, a delay overflows and fires at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Checks the engine's timing options; throws INVALID_CONFIG naming the first one that is not a usable delay. */
export function validateTimings(options: SessionEngineOptions): void {
  for (const field of ['renewal', 'retry'] as const) {
    const value: unknown = options[field];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new ApiRtcAuthError('INVALID_CONFIG', `${field} must be an object`, { field });
    }
  }
  const renewal = options.renewal ?? {};
  const retry = options.retry ?? {};
  const delays = {
    registerTimeoutMs: options.registerTimeoutMs,
    tokenTimeoutMs: options.tokenTimeoutMs,
    reconnectTimeoutMs: options.reconnectTimeoutMs,
    'retry.baseDelayMs': retry.baseDelayMs,
    'retry.maxDelayMs': retry.maxDelayMs,
    'renewal.leadMs': typeof renewal.leadMs === 'function' ? undefined : renewal.leadMs,
  };
  for (const [field, value] of Object.entries(delays)) {
    if (value !== undefined && !(typeof value === 'number' && value > 0 && value <= MAX_DELAY_MS)) {
      throw new ApiRtcAuthError('INVALID_CONFIG', `${field} must be a number of milliseconds above 0 and at most 2^31-1`, { field });
    }
  }
  const { jitter } = renewal;
  if (jitter !== undefined && !(typeof jitter === 'number' && jitter >= 0 && jitter <= 1)) {
    throw new ApiRtcAuthError('INVALID_CONFIG', 'renewal.jitter must be a number from 0 to 1', { field: 'renewal.jitter' });
  }
}

/**
 * Value equality for configs written inline in JSX: plain objects and arrays compare by content;
 * functions always compare equal, because callbacks are read through a latest-ref, not captured.
 */
export function sameValue(a: unknown, b: unknown, comparing = new WeakMap<object, object>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a === 'function' && typeof b === 'function') return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // A cycle (an object holding itself): the pair is already being compared further up.
  if (comparing.get(a) === b) return true;
  comparing.set(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i], comparing));
  }
  // Only plain objects compare by content; a Date, Map or class instance compares by identity.
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], comparing));
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
