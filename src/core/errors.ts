/** Stable codes: branch on these, not on messages. */
export type ApiRtcAuthErrorCode =
  /** A prop or option is missing or malformed; `field` names it. Never retried. */
  | 'INVALID_CONFIG'
  /** A JWT is malformed, unsigned, or its claims don't match the apiKey/userId. Never retried. */
  | 'INVALID_TOKEN'
  /** The token source handed over an expired token (after one refetch). */
  | 'TOKEN_EXPIRED'
  /** The token source (getToken or tokenUrl) failed. Retryable when the failure may pass (network, 5xx). */
  | 'TOKEN_SOURCE_FAILED'
  /** The cloud refused the credentials: wrong password, refused token (after one fresh token from getToken/tokenUrl). */
  | 'UNAUTHORIZED'
  /** register() did not settle in time (the SDK can hang forever). Retried on a new UserAgent. */
  | 'REGISTER_TIMEOUT'
  /** Any other register failure: network, cloud 5xx (retried); in login mode, an HTTP 4xx other than 401/403/408/429 (not retried). */
  | 'REGISTER_FAILED'
  /** The @apirtc/apirtc SDK could not be loaded. */
  | 'SDK_LOAD_FAILED'
  /** `ua.unregister()` failed or did not settle; the UserAgent is dropped all the same. */
  | 'UNREGISTER_FAILED'
  /**
   * Another engine of this page holds or is getting the ApiRTC session: the SDK allows one per page. Render one
   * provider, or share one engine; `register()` works once the other one has ended. Never retried.
   */
  | 'SESSION_CONFLICT'
  /** `unregister()` or unmount came while the action was pending. A config change does not abort: register() resolves with the new Session. */
  | 'ABORTED';

export interface ApiRtcAuthErrorOptions {
  retryable?: boolean;
  /** For INVALID_CONFIG / INVALID_TOKEN: the option at fault, e.g. `auth.userId`. */
  field?: string;
  /** The original error (an SDK rejection, a fetch failure). Never holds a secret. */
  cause?: unknown;
}

/** The one error type this package throws, rejects with and puts in state. */
export class ApiRtcAuthError extends Error {
  override readonly name = 'ApiRtcAuthError';
  readonly code: ApiRtcAuthErrorCode;
  readonly retryable: boolean;
  readonly field: string | undefined;

  constructor(code: ApiRtcAuthErrorCode, message: string, options: ApiRtcAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.field = options.field;
  }
}

/** Narrows an unknown failure (a rejected action) to this package's error type. */
export function isApiRtcAuthError(value: unknown): value is ApiRtcAuthError {
  return value instanceof ApiRtcAuthError;
}

/** The error of an action or a wait that something else made pointless (`unregister()`, a newer attempt). */
export function aborted(why: string): ApiRtcAuthError {
  return new ApiRtcAuthError('ABORTED', why);
}

/** The typed error for bad input: INVALID_CONFIG naming `field`. */
export function invalidConfig(field: string, message: string): ApiRtcAuthError {
  return new ApiRtcAuthError('INVALID_CONFIG', message, { field });
}

/** Ids the SDK writes unescaped into its handshake URL (`?channelId=` + id): nothing that a URL would read otherwise. */
export const URL_SAFE_ID = /^[\w.@-]+$/;

/** Throws INVALID_CONFIG naming `field` unless `value` is a non-blank string without surrounding whitespace. */
export function requireText(field: string, value: unknown, options: { noColon?: boolean; noWhitespace?: boolean; urlSafe?: boolean } = {}): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidConfig(field, `${field} is required and must be a non-empty string`);
  }
  if (value !== value.trim()) {
    throw invalidConfig(field, `${field} must not start or end with whitespace`);
  }
  if (options.noWhitespace && /\s/.test(value)) {
    throw invalidConfig(field, `${field} must not contain whitespace`);
  }
  // The SDK reads the uri prefix up to the first ':' ("apiKey:KEY"); a ':' inside would change the mode.
  if (options.noColon && value.includes(':')) {
    throw invalidConfig(field, `${field} must not contain ':'`);
  }
  if (options.urlSafe && !URL_SAFE_ID.test(value)) {
    throw invalidConfig(field, `${field} may only contain letters, digits, "_", ".", "@" and "-" (the SDK sends it unescaped in a URL)`);
  }
  return value;
}
