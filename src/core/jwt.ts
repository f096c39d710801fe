import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { ApiRtcAuthError } from './errors.js';

/** The `aud` every ApiRTC customer JWT carries. */
export const APIRTC_AUDIENCE = 'apiRTC';
/** The grant that binds a token to the id passed as `register({ id })`. */
export const USER_ID_GRANT = 'apiRTC_UserAgent_Id';
/**
 * The grant value of an apiKey-wide token (ApiRTC's token generator documents it): valid for every user id of
 * the apiKey. One leaked token then works for every user: prefer per-user tokens.
 */
export const APIKEY_WIDE_USER_ID = 'ApiKey_Token';

export interface ApiRtcClaims extends JWTPayload {
  grants?: { [USER_ID_GRANT]?: unknown; [grant: string]: unknown };
}

/** The SDK sends the token in its handshake URL; servers refuse request lines much longer than this. */
export const MAX_TOKEN_LENGTH = 4096;

/** The largest NumericDate whose milliseconds are a valid JavaScript Date (year 275760). */
const MAX_NUMERIC_DATE = 8.64e12;

export interface ExpectedIdentity {
  apiKey: string;
  userId: string;
}

/**
 * The ApiRTC-specific checks on already-decoded claims, made in the browser before register() (the local cloud
 * checks tokens with code of its own). Returns why the claims are refused, or undefined.
 */
export function findClaimProblem(claims: ApiRtcClaims, expected: ExpectedIdentity): string | undefined {
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(APIRTC_AUDIENCE)) return `jwt audience invalid. expected: ${APIRTC_AUDIENCE}`;
  if (claims.sub !== expected.apiKey) return 'jwt subject invalid. expected: the apiKey';
  const grant = claims.grants?.[USER_ID_GRANT];
  if (grant !== expected.userId && grant !== APIKEY_WIDE_USER_ID) {
    return `jwt grants.${USER_ID_GRANT} does not match the user id`;
  }
  for (const name of ['exp', 'iat', 'nbf'] as const) {
    const value = claims[name];
    // Beyond 8.64e12 s, `value * 1000` is no valid Date.
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_NUMERIC_DATE)) {
      return `jwt ${name} is not a valid NumericDate`;
    }
  }
  return undefined;
}

export interface DecodedToken {
  /** Seconds since epoch, from the token (server clock). */
  exp: number | undefined;
  iat: number | undefined;
  jti: string | undefined;
}

/**
 * Decodes a customer JWT in the browser and checks everything that can be checked without the
 * secret: shape, `alg`, audience, subject, user id grant, and expiry at `nowMs`: the server's time as best
 * known (`by: 'server'`, from the token endpoint's Date header), else this device's clock.
 * Throws INVALID_TOKEN or TOKEN_EXPIRED; the message never contains the token.
 */
export function decodeApiRtcToken(token: unknown, expected: ExpectedIdentity, nowMs: number, by: 'device' | 'server' = 'device'): DecodedToken {
  if (typeof token !== 'string' || token.trim() === '') {
    throw new ApiRtcAuthError('INVALID_TOKEN', 'the token source returned no token (expected a JWT string)', { field: 'token' });
  }
  // jose would skip it, but the cloud verifies the signature over the text as sent (a text/plain answer's newline...).
  if (token !== token.trim()) {
    throw new ApiRtcAuthError('INVALID_TOKEN', 'the token starts or ends with whitespace: trim it where it is made', { field: 'token' });
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new ApiRtcAuthError('INVALID_TOKEN', `the token is longer than ${MAX_TOKEN_LENGTH} characters: too large for the SDK's handshake URL`, { field: 'token' });
  }
  let claims: ApiRtcClaims;
  let alg: string | undefined;
  try {
    claims = decodeJwt(token);
    alg = decodeProtectedHeader(token).alg;
  } catch (error) {
    // jose's message is safe (it never echoes the token), but keep ours uniform.
    throw new ApiRtcAuthError('INVALID_TOKEN', 'the token is not a well-formed JWT', { field: 'token', cause: error });
  }
  if (typeof alg !== 'string' || alg === '' || alg.toLowerCase() === 'none') {
    throw new ApiRtcAuthError('INVALID_TOKEN', 'the token is unsigned (alg "none"); ApiRTC requires HS256', { field: 'token' });
  }
  const problem = findClaimProblem(claims, expected);
  if (problem) throw new ApiRtcAuthError('INVALID_TOKEN', `the token is not valid for this session: ${problem}`, { field: 'token' });
  if (claims.exp !== undefined && claims.exp * 1000 <= nowMs) {
    // Said with the token's age: a token the server has just signed, "issued 7200 s ago", means a clock that runs ahead.
    const age = claims.iat === undefined || claims.iat > claims.exp ? '' : `, issued ${Math.round(nowMs / 1000 - claims.iat)} s ago`;
    const clock = by === 'server' ? "the server's clock (the token endpoint's Date header)" : "this device's clock";
    const why = by === 'server' ? 'an old token' : "an old token, or a clock running ahead of the server's";
    throw new ApiRtcAuthError('TOKEN_EXPIRED', `the token has already expired by ${clock}${age} (${why})`, { field: 'token' });
  }
  return { exp: claims.exp, iat: claims.iat, jti: typeof claims.jti === 'string' ? claims.jti : undefined };
}

/**
 * When the token expires on the local clock: its lifetime (exp - iat) counted from the moment it was
 * received, capped by `exp` read on the local clock (`serverOffset`: the server's clock minus this device's,
 * when known). A clock running behind the server's still renews in time; one running ahead renews early,
 * never late. Undefined for a token without `exp`.
 */
export function localExpiry(decoded: DecodedToken, receivedAtMs: number, serverOffset = 0): number | undefined {
  if (decoded.exp === undefined) return undefined;
  const byExp = decoded.exp * 1000 - serverOffset;
  if (decoded.iat === undefined || decoded.iat > decoded.exp) return byExp;
  return Math.min(byExp, receivedAtMs + (decoded.exp - decoded.iat) * 1000);
}
