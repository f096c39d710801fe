import { decodeJwt } from 'jose';
import type { ResolvedApiKey, ResolvedUser } from './config.js';
import type { RegistrationMode } from './records.js';
import { checkCustomerToken } from './token-check.js';

/** The prefix the SDK treats as an authentication failure: it stops reconnecting. */
export const ACCESS_TOKEN_FAILURE = 'access token failure: ';
/** The other message the SDK stops on (an exact match): used for refusals that are not about a token. */
export const NOT_AUTHORIZED = 'not authorized';
/**
 * What an anonymous handshake is refused with when the apiKey requires authentication. The SDK's list of
 * texts that stop its connection attempts holds `An account is needed`: the cloud's word for this case.
 */
export const ACCOUNT_NEEDED = 'An account is needed: this apiKey requires authentication (a token or a login)';

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
  now(): number;
}

export type HandshakeDecision =
  | { ok: true; mode: RegistrationMode; channelId: string; apiKey: string; jti: string | undefined; apiKeyWide: boolean }
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

function refuse(mode: RegistrationMode, jti: string | undefined, reason: string, message = mode === 'jwt' ? ACCESS_TOKEN_FAILURE + reason : NOT_AUTHORIZED): HandshakeDecision {
  return { ok: false, mode, jti, reason, message };
}

/**
 * Decides a CCS handshake as the ApiRTC cloud does.
 * - JWT (query `token`): see token-check.ts (HS256 with the apiKey's secret, not expired on the cloud clock,
 *   `aud` apiRTC, `sub` = apiKey, `grants.apiRTC_UserAgent_Id` = channelId or `ApiKey_Token`, lifetime).
 *   Refused with `access token failure: <reason>`, the reason worded as jsonwebtoken words it.
 * - Login (no token, channelId = a login user's id under that apiKey): accepted (the query proves nothing more).
 * - Anonymous: a known apiKey that does not require authentication ({@link ACCOUNT_NEEDED} otherwise).
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
    const check = await checkCustomerToken(token, { apiKey, channelId, secret: key.secret, nowMs: context.now(), maxLifetime: key.maxTokenLifetime });
    return check.ok ? { ok: true, mode, channelId, apiKey, jti, apiKeyWide: check.apiKeyWide } : refuse(mode, jti, check.reason);
  }
  // A login-mode socket carries no proof of the login (the SDK's query holds no cloud token): like
  // ApiRTC's, the CCS does not gate it on one.
  if (mode !== 'login' && key.authRequired) {
    return refuse(mode, jti, 'authentication required', ACCOUNT_NEEDED);
  }
  return { ok: true, mode, channelId, apiKey, jti, apiKeyWide: false };
}
