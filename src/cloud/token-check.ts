import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';

/** The `aud` of every ApiRTC customer JWT. */
export const APIRTC_AUDIENCE = 'apiRTC';
/** The grant that binds a customer JWT to the id of `register({ id })` (the handshake's channelId). */
export const USER_ID_GRANT = 'apiRTC_UserAgent_Id';
/** The grant value of a token valid for every user id of its apiKey (ApiRTC's token generator documents it). */
export const API_KEY_TOKEN = 'ApiKey_Token';

export interface TokenExpectations {
  apiKey: string;
  channelId: string;
  secret: string;
  /** The cloud's clock, ms since epoch. */
  nowMs: number;
  /** Longest `exp - iat` accepted, seconds; undefined: no limit. */
  maxLifetime: number | undefined;
}

export type TokenCheck = { ok: true; claims: JWTPayload; apiKeyWide: boolean } | { ok: false; reason: string };

/**
 * The HMAC key as a Uint8Array of the current realm (jose checks `instanceof Uint8Array`, which a
 * TextEncoder result from another realm, e.g. under jsdom, fails).
 */
export function secretKey(secret: string): Uint8Array {
  return new Uint8Array(new TextEncoder().encode(secret));
}

/** The reason jose's refusal maps to, worded as jsonwebtoken words it (ApiRTC's cloud checks with it). */
function joseReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'jwt expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'invalid algorithm';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'invalid') return `invalid ${error.claim} value`;
    if (error.claim === 'nbf') return 'jwt not active';
  }
  return 'invalid token';
}

function refused(reason: string): TokenCheck {
  return { ok: false, reason };
}

/**
 * Verifies a customer JWT with jose as ApiRTC's cloud does, and answers jsonwebtoken's texts in
 * jsonwebtoken's order: shape, signature present, algorithm (HS256 only), signature, nbf, exp, aud,
 * sub. Then the ApiRTC checks: the grant (the channelId or {@link API_KEY_TOKEN}) and the lifetime.
 */
export async function checkCustomerToken(token: string, expected: TokenExpectations): Promise<TokenCheck> {
  const parts = token.split('.');
  if (parts.length !== 3) return refused('jwt malformed');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return refused('invalid token');
  }
  if (parts[2] === '') return refused('jwt signature is required');
  if (alg !== 'HS256') return refused('invalid algorithm');
  let claims: JWTPayload;
  try {
    // No audience or subject here: jose checks them before the dates, jsonwebtoken after; they follow below.
    ({ payload: claims } = await jwtVerify(token, secretKey(expected.secret), { algorithms: ['HS256'], currentDate: new Date(expected.nowMs) }));
  } catch (error) {
    return refused(joseReason(error));
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(APIRTC_AUDIENCE)) return refused(`jwt audience invalid. expected: ${APIRTC_AUDIENCE}`);
  if (claims.sub !== expected.apiKey) return refused(`jwt subject invalid. expected: ${expected.apiKey}`);
  const grants = claims.grants as Record<string, unknown> | undefined;
  const grant = typeof grants === 'object' && grants !== null ? grants[USER_ID_GRANT] : undefined;
  if (grant !== expected.channelId && grant !== API_KEY_TOKEN) {
    return refused(`jwt grants.${USER_ID_GRANT} invalid. expected: ${expected.channelId} or ${API_KEY_TOKEN}`);
  }
  const max = expected.maxLifetime;
  if (max !== undefined && !(typeof claims.iat === 'number' && typeof claims.exp === 'number' && claims.exp - claims.iat <= max)) {
    return refused(lifetimeReason(max));
  }
  return { ok: true, claims, apiKeyWide: grant === API_KEY_TOKEN };
}

/** The refusal of a token living longer than the apiKey allows (or without iat/exp when a limit is set). */
export function lifetimeReason(maxSeconds: number): string {
  return `jwt lifetime invalid. expected: exp - iat <= ${maxSeconds}`;
}
