/** The `auth` prop: the three ways ApiRTC authenticates a UserAgent, and the token sources of JWT mode. */
/** Why a token is asked for: informational, passed to `getToken` and to the token endpoint. */
export const TOKEN_REASONS = Object.freeze(['initial', 'renew', 'expired', 'refused', 'retry'] as const);
export type TokenReason = (typeof TOKEN_REASONS)[number];

/** What `getToken` is called with. */
export interface GetTokenContext {
  /** Aborted when the token is no longer wanted (unmount, config change, unregister). */
  signal: AbortSignal;
  reason: TokenReason;
}

/** Your token source: resolves with a customer JWT for `auth.userId` (fetched from your server). */
export type GetToken = (context: GetTokenContext) => Promise<string>;

/** Anonymous: `new UserAgent({ uri: 'apiKey:' + apiKey })`, `register()`. */
export interface ApiKeyAuth {
  mode: 'apiKey';
  apiKey: string;
}

/** ApiRTC account: `new UserAgent({ uri: 'apirtc:' + login })`, `register({ password })`. */
export interface LoginAuth {
  mode: 'login';
  login: string;
  password: string;
}

interface JwtAuthBase {
  mode: 'jwt';
  apiKey: string;
  /** Registered as `register({ id: userId, token })`; must equal the token's `grants.apiRTC_UserAgent_Id`. */
  userId: string;
}

/** A fixed token. It is not renewed on a timer: pass a new `token` to re-register with it. */
export interface JwtLiteralAuth extends JwtAuthBase {
  token: string;
}

/** Tokens from your own code, e.g. a call to your backend. Read through a latest-ref: an inline function is fine. */
export interface JwtGetTokenAuth extends JwtAuthBase {
  getToken: GetToken;
}

/** Tokens from a token endpoint speaking the `apirtc-react-auth/server` handler's contract. */
export interface JwtTokenUrlAuth extends JwtAuthBase {
  tokenUrl: string;
  /** Extra fetch options (headers, credentials) for the token request. */
  tokenRequestInit?: Omit<RequestInit, 'method' | 'body' | 'signal'>;
}

/** JWT mode, with one of three token sources. */
export type JwtAuth = JwtLiteralAuth | JwtGetTokenAuth | JwtTokenUrlAuth;
/** The `auth` prop: how the UserAgent authenticates. */
export type AuthConfig = ApiKeyAuth | LoginAuth | JwtAuth;
/** `'apiKey' | 'login' | 'jwt'`. */
export type AuthMode = AuthConfig['mode'];

/** The fixed token of JWT mode, if one is set (`token: undefined` beside `getToken` is none). */
export function literalToken(auth: AuthConfig): string | undefined {
  return auth.mode === 'jwt' && 'token' in auth ? auth.token : undefined;
}

