import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
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
