import { SignJWT } from 'jose';
import { requireText, ApiRtcAuthError } from '../core/errors.js';
import { APIRTC_AUDIENCE, USER_ID_GRANT } from '../core/jwt.js';

/** One hour, as in the vendor's example. */
export const DEFAULT_EXPIRES_IN = 3600;
/** Longer tokens are refused unless `maxExpiresIn` is raised: a leaked token lives as long as it says. */
export const DEFAULT_MAX_EXPIRES_IN = 24 * 3600;

export interface CreateApiRtcTokenOptions {
  /** The ApiRTC apiKey the token is for (its `sub`). */
  apiKey: string;
  /** The secret configured for that apiKey in the ApiRTC console. Never send it to a browser. */
  secret: string | Uint8Array;
  /** The id the browser registers with, `register({ id: userId, token })` (grant `apiRTC_UserAgent_Id`). */
  userId: string;
  /** Lifetime in seconds. Default 3600. */
  expiresIn?: number;
  /** Upper bound for `expiresIn`, in seconds. Default 86400; raise it to allow longer tokens on purpose. */
  maxExpiresIn?: number;
  /** Clock in ms since epoch, for tests. Default `Date.now`. */
  now?: () => number;
}

function secretBytes(secret: unknown): Uint8Array {
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw new ApiRtcAuthError('INVALID_CONFIG', 'secret is required and must not be empty', { field: 'secret' });
    return secret;
  }
  if (typeof secret !== 'string' || secret === '') {
    throw new ApiRtcAuthError('INVALID_CONFIG', 'secret is required and must be a non-empty string or Uint8Array', { field: 'secret' });
  }
  return new TextEncoder().encode(secret);
}

function lifetime(expiresIn: unknown, maxExpiresIn: unknown): number {
  const max = maxExpiresIn ?? DEFAULT_MAX_EXPIRES_IN;
  if (typeof max !== 'number' || !Number.isFinite(max) || max <= 0) {
    throw new ApiRtcAuthError('INVALID_CONFIG', 'maxExpiresIn must be a positive, finite number of seconds', { field: 'maxExpiresIn' });
  }
  const value = expiresIn ?? DEFAULT_EXPIRES_IN;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ApiRtcAuthError('INVALID_CONFIG', 'expiresIn must be a positive, finite number of seconds', { field: 'expiresIn' });
  }
  if (value > max) {
    throw new ApiRtcAuthError('INVALID_CONFIG', `expiresIn (${value} s) is longer than maxExpiresIn (${max} s); raise maxExpiresIn to allow it`, { field: 'expiresIn' });
  }
  return value;
}

/**
 * Signs a customer JWT exactly as ApiRTC documents it: HS256, `typ: JWT`, `sub` = apiKey,
 * `aud` = 'apiRTC', `grants.apiRTC_UserAgent_Id` = userId, `iat`, `exp`, and a random `jti`.
 * Node (or any runtime with WebCrypto) only: the secret must stay on your server.
 */
export async function createApiRtcToken(options: CreateApiRtcTokenOptions): Promise<string> {
  const apiKey = requireText('apiKey', options.apiKey, { noColon: true, noWhitespace: true });
  const userId = requireText('userId', options.userId);
  const key = secretBytes(options.secret);
  const seconds = lifetime(options.expiresIn, options.maxExpiresIn);
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  return new SignJWT({ grants: { [USER_ID_GRANT]: userId } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(apiKey)
    .setAudience(APIRTC_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.ceil(seconds))
    .setJti(crypto.randomUUID())
    .sign(key);
}
