import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { findClaimProblem, type ApiRtcClaims } from '../core/jwt.js';
import { hmacKey } from '../server/token.js';
import type { ResolvedApiKey, ResolvedUser } from './config.js';
import type { RegistrationMode } from './records.js';

/** The prefix the SDK treats as an authentication failure: it stops reconnecting. */
export const ACCESS_TOKEN_FAILURE = 'access token failure: ';
/** The other message the SDK stops on (an exact match): used for refusals that are not about a token. */
export const NOT_AUTHORIZED = 'not authorized';

/** The handshake query values the CCS looks at. */
export interface HandshakeQuery {
  channelId: string | undefined;
  apiKey: string | undefined;
  token: string | undefined;
  apiCCSessionId: string | undefined;
}

export interface HandshakeContext {
  apiKeys: ReadonlyMap<string, ResolvedApiKey>;
  users: readonly ResolvedUser[];
  isLoggedIn(user: ResolvedUser): boolean;
  now(): number;
}

export type HandshakeDecision =
  | { ok: true; mode: RegistrationMode; channelId: string; apiKey: string; jti: string | undefined }
  | { ok: false; mode: RegistrationMode; jti: string | undefined; reason: string; message: string };

function first(value: unknown): string | undefined {
  const item: unknown = Array.isArray(value) ? value[0] : value;
  return typeof item === 'string' && item !== '' ? item : undefined;
}

/**
 * Reads the query socket.io parsed (values may be repeated, hence arrays). The SDK sends the literal
 * `token=null` when a second UserAgent registers while the SDK's socket layer is already loaded:
 * that is no token, not a malformed JWT.
 */
export function readHandshakeQuery(query: Record<string, unknown>): HandshakeQuery {
  const token = first(query.token);
  return {
    channelId: first(query.channelId),
    apiKey: first(query.apiKey),
    token: token === 'null' || token === 'undefined' ? undefined : token,
    apiCCSessionId: first(query.apiCCSessionId),
  };
}

function loginUserFor(query: HandshakeQuery, context: HandshakeContext): ResolvedUser | undefined {
  return context.users.find((user) => user.userId === query.channelId && user.apiKey === query.apiKey);
}

/** The mode a handshake asks for: a token means JWT; a login user's id (without token) means login. */
export function modeOf(query: HandshakeQuery, context: HandshakeContext): RegistrationMode {
  if (query.token !== undefined) return 'jwt';
  return loginUserFor(query, context) ? 'login' : 'apiKey';
}

/** The jti of a token, read without verifying (for records only). */
export function unverifiedJti(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const { jti } = decodeJwt(token);
    return typeof jti === 'string' ? jti : undefined;
  } catch {
    return undefined;
  }
}

/** Why jose refused a token, worded like the cloud (jsonwebtoken's messages where there is one). */
function joseReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'jwt expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf' && error.reason === 'check_failed' ? 'jwt not active' : `jwt ${error.claim} claim invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'jwt algorithm not allowed';
  return 'jwt malformed';
}

async function verifyJwt(token: string, channelId: string, apiKey: string, secret: string, now: number): Promise<string | undefined> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return 'jwt malformed';
  }
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') return 'unsigned token';
  if (alg !== 'HS256') return `jwt algorithm not allowed: ${alg} (expected HS256)`;
  let claims: ApiRtcClaims;
  try {
    // Only HS256: an `alg: none` or asymmetric token can never pass. No clock tolerance, as the cloud.
    ({ payload: claims } = await jwtVerify<ApiRtcClaims>(token, hmacKey(secret), {
      algorithms: ['HS256'],
      currentDate: new Date(now),
    }));
  } catch (error) {
    return joseReason(error);
  }
  return findClaimProblem(claims, { apiKey, userId: channelId });
}

function refuse(mode: RegistrationMode, jti: string | undefined, reason: string): HandshakeDecision {
  const message = mode === 'jwt' ? ACCESS_TOKEN_FAILURE + reason : NOT_AUTHORIZED;
  return { ok: false, mode, jti, reason, message };
}

/**
 * Decides a CCS handshake as the ApiRTC cloud does.
 * - JWT (query `token`): HS256 with the apiKey's secret, not expired on the cloud clock, `aud` apiRTC,
 *   `sub` = apiKey, `grants.apiRTC_UserAgent_Id` = channelId. Refused with `access token failure: <reason>`.
 * - Login (no token, channelId = a login user's id under that apiKey): the user must hold a valid
 *   cloud token from /api/v3/authenticate (the SDK sends nothing else to prove it).
 * - Anonymous: a known apiKey.
 * Non-token refusals answer `not authorized` (the SDK stops on that too); the reason is recorded.
 */
export async function decideHandshake(query: HandshakeQuery, context: HandshakeContext): Promise<HandshakeDecision> {
  const mode = modeOf(query, context);
  const jti = unverifiedJti(query.token);
  const { channelId, apiKey, token } = query;
  if (apiKey === undefined) return refuse(mode, jti, 'apiKey missing');
  const key = context.apiKeys.get(apiKey);
  if (!key) return refuse(mode, jti, 'unknown apiKey');
  if (channelId === undefined) return refuse(mode, jti, 'channelId missing');
  if (token !== undefined) {
    const problem = await verifyJwt(token, channelId, apiKey, key.secret, context.now());
    return problem === undefined ? { ok: true, mode, channelId, apiKey, jti } : refuse(mode, jti, problem);
  }
  if (mode === 'login') {
    const user = loginUserFor(query, context);
    if (!user || !context.isLoggedIn(user)) return refuse(mode, jti, 'no valid login for this user id');
  }
  return { ok: true, mode, channelId, apiKey, jti };
}
