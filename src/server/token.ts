import { SignJWT } from 'jose';
import { invalidConfig, requireText } from '../core/errors.js';
import { APIRTC_AUDIENCE, USER_ID_GRANT } from '../core/jwt.js';

/** One hour, as in the vendor's example. */
export const DEFAULT_EXPIRES_IN = 3600;
/** Longer tokens are refused unless `maxExpiresIn` is raised: a leaked token lives as long as it says. */
export const DEFAULT_MAX_EXPIRES_IN = 24 * 3600;

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

export interface CreateApiRtcTokenOptions extends ApiRtcTokenSettings {
  /** The id the browser registers with, `register({ id: userId, token })` (grant `apiRTC_UserAgent_Id`). */
  userId: string;
}

/** A signed token with the claims a caller may want without decoding it. @internal */
export interface SignedApiRtcToken {
  token: string;
  userId: string;
  /** NumericDate (seconds since epoch). */
  iat: number;
  /** NumericDate (seconds since epoch). */
  exp: number;
  jti: string;
}

/** Signs for one user with settings validated once. @internal */
export type ApiRtcTokenSigner = (userId: string) => Promise<SignedApiRtcToken>;


/**
 * The HMAC key for a secret, validated. Always a fresh Uint8Array of the current global realm: the
 * caller mutating (or zeroing) its buffer later must not change what we sign with, and under a DOM
 * emulation (jsdom) jose's `instanceof Uint8Array` check refuses TextEncoder's or Buffer's output.
 */
export function hmacKey(secret: unknown): Uint8Array {
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
  return async (userIdInput) => {
    // The SDK sends the id unescaped in its handshake URL: the browser refuses any other id, so don't sign one.
    const userId = requireText('userId', userIdInput, { urlSafe: true });
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
      .sign(key);
    return { token, userId, iat, exp, jti };
  };
}

/**
 * Signs a customer JWT exactly as ApiRTC documents it: HS256, `typ: JWT`, `sub` = apiKey,
 * `aud` = 'apiRTC', `grants.apiRTC_UserAgent_Id` = userId, `iat`, `exp`, and a random uuid `jti`.
 * Node (or any runtime with WebCrypto) only: the secret must stay on your server.
 *
 * Rejects with an `ApiRtcAuthError` with code `INVALID_CONFIG`
 * and `field` naming the option at fault: an empty, blank or whitespace-padded apiKey or one with
 * whitespace or `:`; an empty userId or one with other characters than letters, digits, `_`, `.`, `@` and `-`
 * (the SDK sends it unescaped in a URL); an empty secret; an expiresIn that is not a positive finite
 * number or is above maxExpiresIn; an invalid maxExpiresIn.
 */
export async function createApiRtcToken(options: CreateApiRtcTokenOptions): Promise<string> {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig('options', 'options are required: { apiKey, secret, userId, ... }');
  }
  const signed = await createApiRtcTokenSigner(options)(options.userId);
  return signed.token;
}
