import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { invalid, requireText } from './errors.js';
import { APIRTC_AUDIENCE, secretKey, USER_ID_GRANT } from './token-check.js';

export interface DevTokenRequest {
  apiKey: string;
  secret: string;
  /** The grant: a user id, or `ApiKey_Token` for an apiKey-wide token. */
  userId: string;
  /** Seconds; default 3600. */
  expiresIn: number | undefined;
  nowMs: number;
}

/**
 * Signs a customer JWT the way ApiRTC documents it (HS256, typ JWT, sub = apiKey, aud = apiRTC,
 * grants.apiRTC_UserAgent_Id, iat, exp, jti). The cloud's own signer: for development tokens only.
 */
export async function signCustomerToken(request: DevTokenRequest): Promise<{ token: string; expiresAt: number }> {
  const userId = requireText('userId', request.userId, { urlSafe: true });
  const expiresIn = request.expiresIn ?? 3600;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw invalid('expiresIn', 'must be a positive, finite number of seconds');
  const iat = Math.floor(request.nowMs / 1000);
  const exp = iat + Math.ceil(expiresIn);
  const token = await new SignJWT({ grants: { [USER_ID_GRANT]: userId } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.apiKey)
    .setAudience(APIRTC_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(secretKey(request.secret));
  return { token, expiresAt: exp * 1000 };
}

/** The audience of the cloud's own session tokens (JWTApzToken): never a customer token. */
export const APZ_TOKEN_AUDIENCE = 'apiRTC-cloud-session';

/**
 * The cloud-issued session token (`JWTApzToken`, what `session.getApzToken()` returns). Signed with a key
 * that only this cloud process knows, so no customer secret can forge one and it opens nothing else.
 */
export class ApzTokens {
  readonly #key = new Uint8Array(randomBytes(32));
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(now: () => number, ttlMs: number) {
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  async issue(session: { apiKey: string; channelId: string; sessionId: string }): Promise<string> {
    const iat = Math.floor(this.#now() / 1000);
    return new SignJWT({ apiKey: session.apiKey, sessionId: session.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(session.channelId)
      .setAudience(APZ_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + Math.ceil(this.#ttlMs / 1000))
      .setJti(randomUUID())
      .sign(this.#key);
  }

  /** The session a bearer token was issued to, unless it is not ours or expired (cloud clock). */
  async verify(token: string | undefined): Promise<{ apiKey: string; channelId: string } | undefined> {
    if (token === undefined) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'], audience: APZ_TOKEN_AUDIENCE, currentDate: new Date(this.#now()) });
      return typeof payload.sub === 'string' && typeof payload.apiKey === 'string' ? { apiKey: payload.apiKey, channelId: payload.sub } : undefined;
    } catch {
      return undefined;
    }
  }
}
