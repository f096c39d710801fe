import { SignJWT } from 'jose';
import { invalidConfig, requireText } from '../core/errors.js';
import { APIKEY_WIDE_USER_ID, APIRTC_AUDIENCE, USER_ID_GRANT } from '../core/jwt.js';

/** One hour, as in the vendor's example. */
export const DEFAULT_EXPIRES_IN = 3600;
/** Longer tokens are refused unless `maxExpiresIn` is raised: a leaked token lives as long as it says. */
export const DEFAULT_MAX_EXPIRES_IN = 24 * 3600;

// APIKEY_WIDE_USER_ID: the grant of an apiKey-wide token, shared with the browser's checks. Signed only with
// `scope: 'apiKey'`; as a `userId` it is refused, so that no user id from a database or a form turns a token wide.
export { APIKEY_WIDE_USER_ID };

/**
 * What a token is valid for: `'user'` (the default), one user id, the `userId` it names; `'apiKey'`, every
 * user id of the apiKey (grant `ApiKey_Token`).
 */
export type TokenScope = 'user' | 'apiKey';

/** The settings a token is signed with, apart from the user it is for. */
export interface ApiRtcTokenSettings {
  /** The ApiRTC apiKey the token is for (its `sub`). No whitespace, no `:`. */
  apiKey: string;
  /** The secret configured for that apiKey in the ApiRTC console. Never send it to a browser. */
  secret: string | Uint8Array;
  /**
   * Lifetime in seconds (a fraction is rounded up to a whole second). Default 3600, or `maxExpiresIn`
   * when that is lower. Must be positive, finite and at most `maxExpiresIn`.
   */
  expiresIn?: number;
  /** Upper bound for `expiresIn`, in seconds. Default 86400; raise it to allow longer tokens on purpose. */
  maxExpiresIn?: number;
  /** Clock in ms since epoch, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A token for one user id: the default. */
export interface CreateApiRtcTokenOptions extends ApiRtcTokenSettings {
  /**
   * The id the browser registers with, `register({ id: userId, token })` (grant `apiRTC_UserAgent_Id`).
   * `'ApiKey_Token'` is refused here: sign an apiKey-wide token with `scope: 'apiKey'` instead.
   */
  userId: string;
  /** @defaultValue `'user'` */
  scope?: 'user';
}

/**
 * An apiKey-wide token: valid for every user id of the apiKey (grant `ApiKey_Token`).
 * Trade-off: one leaked token lets anyone register under any user id of the apiKey until it expires;
 * prefer per-user tokens, and keep wide ones short-lived.
 */
export interface ApiKeyWideTokenOptions extends ApiRtcTokenSettings {
  /** Opt-in: the token is not bound to a user id. */
  scope: 'apiKey';
  /** Not allowed: the token would not be bound to it, whatever it says. */
  userId?: undefined;
}


/** A signed token with the claims a caller may want without decoding it. @internal */
export interface SignedApiRtcToken {
  token: string;
  /** The grant: the user id, or `ApiKey_Token` for an apiKey-wide token. */
  userId: string;
  scope: TokenScope;
  /** NumericDate (seconds since epoch). */
  iat: number;
  /** NumericDate (seconds since epoch). */
  exp: number;
  jti: string;
}

/**
 * Signs for one user (`scope` 'user', the default) or for the whole apiKey (`scope` 'apiKey', no userId),
 * with settings validated once. Rejects with INVALID_CONFIG `field` (default 'userId') on a bad user id. @internal
 */
export interface ApiRtcTokenSigner {
  (userId: unknown, scope?: TokenScope, field?: string): Promise<SignedApiRtcToken>;
  /** The settings' clock (ms since epoch), validated. */
  readonly now: () => number;
}


/**
 * The HMAC key for a secret, validated. Always a fresh Uint8Array of the current global realm: the
 * caller mutating (or zeroing) its buffer later must not change what we sign with, and under a DOM
 * emulation (jsdom) jose's `instanceof Uint8Array` check refuses TextEncoder's or Buffer's output.
 */
export function hmacKey(secret: unknown): Uint8Array<ArrayBuffer> {
  if (ArrayBuffer.isView(secret) && (secret as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT === 1) {
    if (secret.byteLength === 0) throw invalidConfig('secret', 'secret is required and must not be empty');
    return new Uint8Array(new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength));
  }
  if (typeof secret !== 'string' || secret === '') {
    throw invalidConfig('secret', 'secret is required and must be a non-empty string or Uint8Array');
  }
  return new Uint8Array(new TextEncoder().encode(secret));
}

function positiveSeconds(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidConfig(field, `${field} must be a positive, finite number of seconds`);
  }
  return value;
}

function lifetime(expiresIn: unknown, maxExpiresIn: unknown): number {
  const max = maxExpiresIn === undefined ? DEFAULT_MAX_EXPIRES_IN : positiveSeconds('maxExpiresIn', maxExpiresIn);
  // Lowering maxExpiresIn below the default lifetime lowers the default too, instead of failing on a
  // value the caller never wrote.
  if (expiresIn === undefined) return Math.min(DEFAULT_EXPIRES_IN, max);
  const value = positiveSeconds('expiresIn', expiresIn);
  if (value > max) {
    throw invalidConfig('expiresIn', `expiresIn (${value} s) is longer than maxExpiresIn (${max} s); raise maxExpiresIn to allow it`);
  }
  return value;
}

function clock(now: unknown): () => number {
  if (now === undefined) return Date.now;
  if (typeof now !== 'function') throw invalidConfig('now', 'now must be a function returning ms since epoch');
  return () => {
    const ms: unknown = now();
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw invalidConfig('now', 'now() must return a finite, non-negative number of ms since epoch');
    }
    return ms;
  };
}

/**
 * Validates everything but the user id once and returns a signer. Throws INVALID_CONFIG (with `field`)
 * at once on bad settings. Shared by createApiRtcToken and the token endpoint handler. @internal
 */
export function createApiRtcTokenSigner(settings: ApiRtcTokenSettings): ApiRtcTokenSigner {
  if (typeof settings !== 'object' || settings === null) {
    throw invalidConfig('options', 'options are required: { apiKey, secret, ... }');
  }
  const apiKey = requireText('apiKey', settings.apiKey, { noColon: true, noWhitespace: true });
  const key = hmacKey(settings.secret);
  const seconds = Math.ceil(lifetime(settings.expiresIn, settings.maxExpiresIn));
  const now = clock(settings.now);
  // jose imports a Uint8Array secret into a CryptoKey on every sign: import it once, on first use.
  let imported: CryptoKey | undefined;
  let importing: Promise<CryptoKey> | undefined;
  const signingKey = (): Promise<CryptoKey> =>
    (importing ??= crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']).then((cryptoKey) => (imported = cryptoKey)));
  const sign = async (userIdInput: unknown, scope: TokenScope = 'user', field = 'userId'): Promise<SignedApiRtcToken> => {
    const userId = grantFor(userIdInput, scope, field);
    const iat = Math.floor(now() / 1000);
    const exp = iat + seconds;
    const jti = crypto.randomUUID();
    const token = await new SignJWT({ grants: { [USER_ID_GRANT]: userId } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(apiKey)
      .setAudience(APIRTC_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(imported ?? (await signingKey()));
    return { token, userId, scope, iat, exp, jti };
  };
  return Object.assign(sign, { now });
}

/** The grant to sign: the user id, or `ApiKey_Token` on explicit request only. */
function grantFor(userId: unknown, scope: TokenScope, field: string): string {
  if (scope === 'apiKey') {
    if (userId !== undefined) {
      throw invalidConfig(field, `an apiKey-wide token (scope 'apiKey') is valid for every user id: leave ${field} out`);
    }
    return APIKEY_WIDE_USER_ID;
  }
  // The SDK sends the id unescaped in its handshake URL: the browser refuses any other id, so don't sign one.
  const id = requireText(field, userId, { urlSafe: true });
  if (id === APIKEY_WIDE_USER_ID) {
    throw invalidConfig(
      field,
      `${field} "${APIKEY_WIDE_USER_ID}" would sign a token valid for every user id of the apiKey: ask for one on purpose with scope: 'apiKey' (and no ${field})`,
    );
  }
  return id;
}

function scopeOf(value: unknown): TokenScope {
  if (value === undefined || value === 'user' || value === 'apiKey') return value ?? 'user';
  throw invalidConfig('scope', `scope must be 'user' (the default) or 'apiKey'`);
}

/**
 * Signs a customer JWT exactly as ApiRTC documents it: HS256, `typ: JWT`, `sub` = apiKey,
 * `aud` = 'apiRTC', `grants.apiRTC_UserAgent_Id` = userId, `iat`, `exp`, and a random uuid `jti`.
 * Node (or any runtime with WebCrypto) only: the secret must stay on your server.
 *
 * With `scope: 'apiKey'` (and no `userId`) it signs the apiKey-wide token ApiRTC documents
 * (`grants.apiRTC_UserAgent_Id: 'ApiKey_Token'`): the browser registers with it under any user id of the apiKey.
 * Trade-off: one leaked token then works for every user id of the apiKey until it expires, where a per-user
 * token only lets its holder be that one user. Prefer per-user tokens; if you hand out wide ones, keep them short.
 * A `userId` of `'ApiKey_Token'` without `scope: 'apiKey'` is refused: a wide token is never signed by accident.
 *
 * Rejects with an `ApiRtcAuthError` with code `INVALID_CONFIG`
 * and `field` naming the option at fault: an empty, blank or whitespace-padded apiKey or one with
 * whitespace or `:`; an empty userId or one with other characters than letters, digits, `_`, `.`, `@` and `-`
 * (the SDK sends it unescaped in a URL); a userId `'ApiKey_Token'` without `scope: 'apiKey'`, or any userId with
 * it; a scope other than 'user' or 'apiKey'; an empty secret; an expiresIn that is not a positive finite
 * number or is above maxExpiresIn; an invalid maxExpiresIn.
 *
 * @example A token for one user (the usual case)
 * ```ts
 * const token = await createApiRtcToken({ apiKey, secret, userId: 'alice' });
 * // browser: register({ id: 'alice', token })
 * ```
 * @example An apiKey-wide token, on purpose
 * ```ts
 * const token = await createApiRtcToken({ apiKey, secret, scope: 'apiKey', expiresIn: 300 });
 * // browser: register({ id: anyUserId, token }); the grant is APIKEY_WIDE_USER_ID ('ApiKey_Token')
 * ```
 */
export async function createApiRtcToken(options: CreateApiRtcTokenOptions | ApiKeyWideTokenOptions): Promise<string> {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig('options', 'options are required: { apiKey, secret, userId, ... }');
  }
  const scope = scopeOf(options.scope);
  const signed = await createApiRtcTokenSigner(options)(options.userId, scope);
  return signed.token;
}
