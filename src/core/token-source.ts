import type { Clock } from './clock.js';
import { literalToken, type JwtAuth, type JwtGetTokenAuth, type JwtTokenUrlAuth, type TokenReason } from './auth.js';
import { aborted, ApiRtcAuthError, isApiRtcAuthError } from './errors.js';
import { APIKEY_WIDE_USER_ID } from './jwt.js';

/** What the token endpoint answers with a 200 (see `apirtc-react-auth/server`). */
export interface TokenEndpointResponse {
  /** The signed JWT, for `register({ id: userId, token })`. */
  token: string;
  /** The user the token is for, as the server's `authorize` decided. */
  userId: string;
  /** The token's `exp` in ms since epoch (`exp * 1000`, the server's clock). */
  expiresAt: number;
  /** `'apiKey'` for an apiKey-wide token (then `userId` is `'ApiKey_Token'`); absent for a user's own token. */
  scope?: 'user' | 'apiKey';
}

/** A token, and what its source knows of the server's clock. */
export interface SourcedToken {
  token: string;
  /** The server's clock minus this device's, when the source can tell (the token endpoint's `Date` header). */
  serverOffset?: number | undefined;
}

/** Clock offsets beyond this are not believed (a Date header from a broken proxy, a token from another era). */
export const MAX_CLOCK_OFFSET_MS = 48 * 3_600_000;

export interface TokenSource {
  /** A fresh token. Concurrent calls share one request; it is aborted when every caller has given up. */
  get(reason: TokenReason, signal: AbortSignal): Promise<SourcedToken>;
}

export interface TokenSourceOptions {
  /** The latest auth config, read at each request (latest-ref for `getToken`). */
  readAuth: () => JwtAuth;
  clock: Clock;
  /** A request that takes longer fails with a retryable TOKEN_SOURCE_FAILED (read per request). */
  timeoutMs: () => number;
  fetch?: typeof fetch;
}

const requestAborted = () => aborted('the token request was aborted');

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  let flight: { promise: Promise<SourcedToken>; controller: AbortController; waiters: number } | undefined;

  const request = async (reason: TokenReason, signal: AbortSignal): Promise<SourcedToken> => {
    const auth = options.readAuth();
    const literal = literalToken(auth);
    if (literal !== undefined) return { token: literal };
    try {
      // By value, like validateAuth: a key set to undefined (`getToken: props.getToken`) is no source.
      const { getToken } = auth as Partial<JwtGetTokenAuth>;
      const pending = getToken
        ? getToken({ signal, reason }).then((token) => ({ token }))
        : fetchFromEndpoint(options.fetch ?? fetch, options.clock, auth as JwtTokenUrlAuth, reason, signal);
      // A getToken that ignores its signal must not outlive the timeout or an abort.
      return await Promise.race([pending, rejectOnAbort(signal)]);
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? requestAborted();
      if (isApiRtcAuthError(error)) throw error;
      // An app's getToken failing is most often the network: let the engine retry with backoff.
      throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', `getting a token failed: ${describe(error)}`, { retryable: true, cause: error });
    }
  };

  const start = (reason: TokenReason) => {
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs();
    const timer = options.clock.setTimeout(() => {
      controller.abort(new ApiRtcAuthError('TOKEN_SOURCE_FAILED', `the token request took longer than ${timeoutMs} ms`, { retryable: true }));
    }, timeoutMs);
    const current = {
      controller,
      waiters: 0,
      promise: request(reason, controller.signal).finally(() => {
        options.clock.clearTimeout(timer);
        if (flight === current) flight = undefined;
      }),
    };
    current.promise.catch(() => {}); // every waiter handles it; don't report it unhandled if all left
    return current;
  };

  return {
    get(reason, signal) {
      if (signal.aborted) return Promise.reject(requestAborted());
      const current = (flight ??= start(reason));
      current.waiters += 1;
      return new Promise<SourcedToken>((resolve, reject) => {
        const leave = () => {
          signal.removeEventListener('abort', onAbort);
          current.waiters -= 1;
        };
        const onAbort = () => {
          leave();
          if (current.waiters === 0) {
            current.controller.abort(requestAborted());
            if (flight === current) flight = undefined;
          }
          reject(requestAborted());
        };
        signal.addEventListener('abort', onAbort);
        current.promise.then(
          (token) => { if (!signal.aborted) { leave(); resolve(token); } },
          (error: unknown) => { if (!signal.aborted) { leave(); reject(error); } },
        );
      });
    },
  };
}

async function fetchFromEndpoint(fetchImpl: typeof fetch, clock: Clock, auth: JwtTokenUrlAuth, reason: TokenReason, signal: AbortSignal): Promise<SourcedToken> {
  const init = auth.tokenRequestInit ?? {};
  const response = await fetchImpl(auth.tokenUrl, {
    ...init,
    method: 'POST',
    // No JSON content-type: a text/plain body keeps a cross-origin request "simple" (no preflight); the handler reads either.
    headers: { accept: 'application/json', ...headersObject(init.headers) },
    body: JSON.stringify({ reason }),
    signal,
  });
  if (!response.ok) {
    void response.body?.cancel().catch(() => {}); // free the connection: the body is not needed
    // 408, 429 and 5xx may pass; 401/403 mean the app's own session is gone and retrying won't help.
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', `the token endpoint answered HTTP ${response.status}`, { retryable });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (signal.aborted) throw error;
    // Not JSON is the endpoint's bug; a connection cut while reading the body may pass.
    if (!(error instanceof SyntaxError)) {
      throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', `reading the token endpoint's answer failed: ${describe(error)}`, { retryable: true, cause: error });
    }
    throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'the token endpoint answered with a body that is not JSON', { cause: error });
  }
  const answer = (body ?? {}) as Partial<TokenEndpointResponse>;
  const { token, userId } = answer;
  if (typeof token !== 'string' || token === '') {
    throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', 'the token endpoint answered without a "token" string');
  }
  // The endpoint decides who the user is: a token for someone else is its answer to a question we did not ask.
  const apiKeyWide = answer.scope === 'apiKey' && userId === APIKEY_WIDE_USER_ID;
  if (userId !== undefined && userId !== auth.userId && !apiKeyWide) {
    throw new ApiRtcAuthError('TOKEN_SOURCE_FAILED', `the token endpoint answered with a token for user "${String(userId)}", not for auth.userId "${auth.userId}"`);
  }
  // Its Date header is the server's clock (to the second): tokens are timed on it, whatever this device's clock says.
  const date = Date.parse(response.headers.get('date') ?? '');
  const serverOffset = date + 500 - clock.now();
  return { token, serverOffset: Math.abs(serverOffset) <= MAX_CLOCK_OFFSET_MS ? serverOffset : undefined };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function headersObject(headers: HeadersInit | undefined): Record<string, string> {
  return headers === undefined ? {} : Object.fromEntries(new Headers(headers).entries());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
