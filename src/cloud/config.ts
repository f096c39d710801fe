import { DEV_API_KEY, DEV_API_SECRET, DEV_LOGIN, DEV_NICKNAME, DEV_PASSWORD, DEV_USER_ID } from './dev.js';
import { invalid, requireText } from './errors.js';

export { invalid } from './errors.js';

/** ApiRTC documents customer tokens living up to 24 h: the default longest `exp - iat` the cloud accepts. */
export const DEFAULT_MAX_TOKEN_LIFETIME_S = 24 * 3600;

/** What the cloud knows of one apiKey (an ApiRTC enterprise). A plain string is the secret alone. */
export interface CloudApiKey {
  /** The HS256 secret customer JWTs of this apiKey are signed with. */
  secret: string;
  /**
   * Authentication required (as ApiRTC once an enterprise turns it on): anonymous handshakes
   * (no token, no login) are refused with `not authorized`. Default false.
   */
  authRequired?: boolean;
  /**
   * The longest lifetime (`exp - iat`, seconds) of a customer JWT the cloud accepts; a token without
   * `iat` or `exp` is then refused too. Default {@link DEFAULT_MAX_TOKEN_LIFETIME_S}; `false`: no limit.
   */
  maxTokenLifetime?: number | false;
  /**
   * preferredCCS answers `secure: true`: the SDK then sends its cloud-issued JWTApzToken as a Bearer on
   * its REST calls, and the cloud requires it on the calls that need a session. Default false.
   */
  secure?: boolean;
}

/** A login/password user of the local cloud (`apirtc:LOGIN` + `register({ password })`). */
export interface CloudUser {
  login: string;
  password: string;
  /** Its ApiRTC user id (the session id). Default: a 7-digit number, `1000001` for the first user. */
  userId?: string;
  /** Default: the login. */
  nickname?: string;
  /** The apiKey (enterprise) the user belongs to. Default: the first of `apiKeys`. */
  apiKey?: string;
}

export interface ApiRtcCloudOptions {
  /** A loopback address: '127.0.0.1' (default), 'localhost', '::1' or any 127.x.y.z. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** apiKey -> its HS256 secret, or its settings. Default: the development apiKey ({@link DEV_API_KEY}). */
  apiKeys?: Readonly<Record<string, string | CloudApiKey>>;
  /** Login users. Default: the development user when `apiKeys` is omitted too, else none. */
  users?: readonly CloudUser[];
  /** The clock (ms since epoch) that checks `exp` and stamps records. Default `Date.now`. */
  now?: () => number;
  /** How long a login-mode cloud token (from /api/v3/authenticate) stays valid, ms. Default 12 h. */
  loginTokenTtlMs?: number;
  /**
   * What POST /api/v2/invalidateToken answers for a token already burnt, expired or unknown:
   * 401 (default) or 200 (idempotent, for apps that must not see a second unregister fail).
   */
  invalidateUnknownToken?: 401 | 200;
}

export interface ResolvedUser {
  login: string;
  password: string;
  userId: string;
  nickname: string;
  apiKey: string;
  enterpriseId: string;
  mail: string | undefined;
}

export interface ResolvedApiKey {
  secret: string;
  enterpriseId: string;
  authRequired: boolean;
  /** Seconds, or undefined for no limit. */
  maxTokenLifetime: number | undefined;
  secure: boolean;
}

export interface ResolvedCloudConfig {
  host: string;
  port: number;
  apiKeys: ReadonlyMap<string, ResolvedApiKey>;
  users: readonly ResolvedUser[];
  now: () => number;
  loginTokenTtlMs: number;
  invalidateUnknownToken: 401 | 200;
}

/** How long a cloud token from /api/v3/authenticate stays valid by default (cloud clock). */
export const DEFAULT_LOGIN_TOKEN_TTL_MS = 12 * 3600 * 1000;

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1)$/;
/** Ids travel unescaped in the SDK's handshake URL (`?channelId=` + id): keep them URL-safe. */
const FIRST_DEFAULT_USER_ID = Number(DEV_USER_ID);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveHost(value: unknown): string {
  if (value === undefined) return '127.0.0.1';
  const host = requireText('host', value, { noWhitespace: true });
  if (!LOOPBACK.test(host)) throw invalid('host', `must be a loopback address (127.0.0.1, localhost or ::1), got "${host}"`);
  return host;
}

function resolvePort(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw invalid('port', 'must be an integer from 0 to 65535 (0 picks a free port)');
  }
  return value;
}

function resolveApiKeys(value: unknown): Map<string, ResolvedApiKey> {
  if (!isRecord(value)) throw invalid('apiKeys', 'must be an object mapping each apiKey to its secret');
  const entries = Object.entries(value);
  if (entries.length === 0) throw invalid('apiKeys', 'must name at least one apiKey');
  const apiKeys = new Map<string, ResolvedApiKey>();
  entries.forEach(([apiKey, entry], index) => {
    requireText('apiKeys', apiKey, { noColon: true, noWhitespace: true });
    apiKeys.set(apiKey, resolveApiKey(`apiKeys["${apiKey}"]`, entry, String(index + 1)));
  });
  return apiKeys;
}

function optionalBoolean(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(field, 'must be a boolean');
  return value;
}

function resolveApiKey(at: string, entry: unknown, enterpriseId: string): ResolvedApiKey {
  const settings: Record<string, unknown> = isRecord(entry) ? entry : { secret: entry };
  const secret = settings.secret;
  if (typeof secret !== 'string' || secret === '') {
    throw invalid(isRecord(entry) ? `${at}.secret` : at, 'must be a non-empty secret string');
  }
  const lifetime = settings.maxTokenLifetime;
  if (lifetime !== undefined && lifetime !== false && (typeof lifetime !== 'number' || !Number.isFinite(lifetime) || lifetime <= 0)) {
    throw invalid(`${at}.maxTokenLifetime`, 'must be a positive number of seconds, or false for no limit');
  }
  return {
    secret,
    enterpriseId,
    authRequired: optionalBoolean(`${at}.authRequired`, settings.authRequired),
    maxTokenLifetime: lifetime === false ? undefined : ((lifetime as number | undefined) ?? DEFAULT_MAX_TOKEN_LIFETIME_S),
    secure: optionalBoolean(`${at}.secure`, settings.secure),
  };
}

function resolveUsers(value: unknown, apiKeys: ReadonlyMap<string, ResolvedApiKey>): ResolvedUser[] {
  if (!Array.isArray(value)) throw invalid('users', 'must be an array of { login, password, userId?, nickname?, apiKey? }');
  const firstApiKey = [...apiKeys.keys()][0] as string;
  const explicitIds = new Set<string>();
  for (const [index, user] of value.entries()) {
    if (isRecord(user) && user.userId !== undefined) {
      const field = `users[${index}].userId`;
      const userId = requireText(field, user.userId, { urlSafe: true });
      if (explicitIds.has(userId)) throw invalid(field, `duplicates the user id "${userId}"`);
      explicitIds.add(userId);
    }
  }
  let nextId = FIRST_DEFAULT_USER_ID;
  const logins = new Set<string>();
  return value.map((user: unknown, index): ResolvedUser => {
    const at = `users[${index}]`;
    if (!isRecord(user)) throw invalid(at, 'must be an object { login, password, userId?, nickname?, apiKey? }');
    const login = requireText(`${at}.login`, user.login, { noColon: true, noWhitespace: true });
    if (logins.has(login)) throw invalid(`${at}.login`, `duplicates the login "${login}"`);
    logins.add(login);
    if (typeof user.password !== 'string' || user.password === '') throw invalid(`${at}.password`, 'is required and must be a non-empty string');
    const apiKey = user.apiKey === undefined ? firstApiKey : requireText(`${at}.apiKey`, user.apiKey);
    const key = apiKeys.get(apiKey);
    if (!key) throw invalid(`${at}.apiKey`, `"${apiKey}" is not one of apiKeys`);
    const nickname = user.nickname === undefined ? login : requireText(`${at}.nickname`, user.nickname);
    let userId = typeof user.userId === 'string' ? user.userId : undefined;
    if (userId === undefined) {
      while (explicitIds.has(String(nextId))) nextId += 1;
      userId = String(nextId);
      nextId += 1;
    }
    return { login, password: user.password, userId, nickname, apiKey, enterpriseId: key.enterpriseId, mail: login.includes('@') ? login : undefined };
  });
}

/** Validates the options; throws ApiRtcAuthError INVALID_CONFIG naming the field at fault. */
export function resolveCloudConfig(options: ApiRtcCloudOptions = {}): ResolvedCloudConfig {
  if (!isRecord(options)) throw invalid('options', 'must be an object');
  const host = resolveHost(options.host);
  const port = resolvePort(options.port);
  const useDevDefaults = options.apiKeys === undefined;
  const apiKeys = resolveApiKeys(useDevDefaults ? { [DEV_API_KEY]: DEV_API_SECRET } : options.apiKeys);
  const defaultUsers: CloudUser[] = useDevDefaults
    ? [{ login: DEV_LOGIN, password: DEV_PASSWORD, userId: DEV_USER_ID, nickname: DEV_NICKNAME }]
    : [];
  const users = resolveUsers(options.users ?? defaultUsers, apiKeys);
  const now: unknown = options.now;
  if (now !== undefined && typeof now !== 'function') throw invalid('now', 'must be a function returning ms since epoch');
  const ttl = options.loginTokenTtlMs;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)) {
    throw invalid('loginTokenTtlMs', 'must be a positive number of ms');
  }
  const unknownToken = options.invalidateUnknownToken;
  if (unknownToken !== undefined && unknownToken !== 401 && unknownToken !== 200) throw invalid('invalidateUnknownToken', 'must be 401 or 200');
  return {
    host,
    port,
    apiKeys,
    users,
    now: typeof now === 'function' ? (now as () => number) : Date.now,
    loginTokenTtlMs: ttl ?? DEFAULT_LOGIN_TOKEN_TTL_MS,
    invalidateUnknownToken: unknownToken ?? 401,
  };
}
