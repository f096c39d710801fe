import { ApiRtcAuthError, invalidConfig, requireText } from './errors.js';
import { cloudUrlOf, type SessionEngineOptions } from './options.js';

/** The SDK writes the apiKey unescaped into its handshake URL: only URL-unreserved characters survive that. */
const URL_UNRESERVED = /^[\w.~-]+$/;

function apiKeyOf(value: unknown): string {
  const apiKey = requireText('auth.apiKey', value, { noColon: true, noWhitespace: true });
  if (!URL_UNRESERVED.test(apiKey)) throw invalidConfig('auth.apiKey', 'auth.apiKey may only contain letters, digits, "_", ".", "~" and "-" (the SDK sends it unescaped in a URL)');
  return apiKey;
}

/** Checks `auth` before any network call; throws INVALID_CONFIG naming the field at fault. Returns the UserAgent uri. */
export function validateAuth(auth: unknown): string {
  if (typeof auth !== 'object' || auth === null) {
    throw new ApiRtcAuthError('INVALID_CONFIG', "auth is required: { mode: 'apiKey' | 'login' | 'jwt', ... }", { field: 'auth' });
  }
  const config = auth as Partial<Record<string, unknown>>;
  switch (config.mode) {
    case 'apiKey':
      return 'apiKey:' + apiKeyOf(config.apiKey);
    case 'login': {
      const login = requireText('auth.login', config.login, { noColon: true, noWhitespace: true });
      if (typeof config.password !== 'string' || config.password === '') {
        throw new ApiRtcAuthError('INVALID_CONFIG', 'auth.password is required and must be a non-empty string', { field: 'auth.password' });
      }
      return 'apirtc:' + login;
    }
    case 'jwt': {
      const uri = 'apiKey:' + apiKeyOf(config.apiKey);
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


/** What `register()` takes from `auth` in each mode: in `registerOptions` these would be ignored or misread. */
const SET_BY_AUTH = { apiKey: ['id', 'token', 'password'], login: ['id', 'token'], jwt: ['password'] } as const;

/**
 * Checks what goes to `ua.register()` besides `auth`: `registerOptions` is a plain object holding nothing that
 * only another mode uses, its `userData` can be sent (JSON), and the cloud is an http(s) URL.
 */
export function validateRegistration(options: SessionEngineOptions): void {
  const registerOptions: unknown = options.registerOptions;
  if (registerOptions !== undefined && registerOptions !== null) {
    const prototype: unknown = typeof registerOptions === 'object' ? Object.getPrototypeOf(registerOptions) : undefined;
    if (prototype !== Object.prototype && prototype !== null) throw invalidConfig('registerOptions', 'registerOptions must be a plain object of the SDK\'s register() options');
    const mode = options.auth.mode;
    for (const key of SET_BY_AUTH[mode] ?? []) {
      if ((registerOptions as Record<string, unknown>)[key] !== undefined) {
        throw invalidConfig(`registerOptions.${key}`, `registerOptions.${key} is not used in ${mode} mode: ${mode === 'jwt' ? 'JWT mode registers with auth.userId and a token' : `${mode} mode never sends an id or a token${mode === 'apiKey' ? ' or a password' : ''}`}`);
      }
    }
    try {
      JSON.stringify((registerOptions as { userData?: unknown }).userData);
    } catch {
      throw invalidConfig('registerOptions.userData', 'registerOptions.userData cannot be sent: it is not serializable as JSON (a cycle, a BigInt...)');
    }
  }
  const cloudUrl = cloudUrlOf(options);
  let protocol = '';
  try {
    protocol = new URL(cloudUrl).protocol;
  } catch {
    // not a URL: refused below
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw invalidConfig('cloudUrl', 'cloudUrl must be an http:// or https:// URL (the ApiRTC cloud, or the local cloud\'s url)');
}
