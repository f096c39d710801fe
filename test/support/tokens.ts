import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { APIRTC_AUDIENCE, USER_ID_GRANT } from '../../src/core/jwt.js';
import { hmacKey } from '../../src/server/token.js';

/** The vendor's claims for `userId` under `apiKey`, issued at `nowMs`, living `expiresIn` seconds. */
export function vendorClaims(apiKey: string, userId: string, nowMs: number, expiresIn = 3600): JWTPayload {
  const iat = Math.floor(nowMs / 1000);
  return { grants: { [USER_ID_GRANT]: userId }, sub: apiKey, aud: APIRTC_AUDIENCE, iat, exp: iat + expiresIn, jti: randomUUID() };
}

/** Signs arbitrary claims with HS256 (for tokens createApiRtcToken refuses to make: wrong aud, sub...). */
export function signClaims(claims: JWTPayload, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(hmacKey(secret));
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An `alg: none` token: header.payload. with an empty signature. */
export function unsignedToken(claims: JWTPayload): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
}

/**
 * A token signed exactly as ApiRTC's authentication page shows, with the `jsonwebtoken` package
 * (Node's crypto; its `iat` is the real clock).
 */
export function vendorPageToken(apiKey: string, secret: string, userId: string): string {
  return jsonwebtoken.sign({ grants: { apiRTC_UserAgent_Id: userId } }, secret, {
    algorithm: 'HS256',
    expiresIn: 3600,
    subject: apiKey,
    audience: 'apiRTC',
    jwtid: randomUUID(),
  });
}
