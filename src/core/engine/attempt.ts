import { literalToken, type AuthConfig, type JwtAuth, type TokenReason } from '../auth.js';
import type { Clock } from '../clock.js';
import { ApiRtcAuthError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { decodeApiRtcToken, localExpiry } from '../jwt.js';
import { cloudUrlOf, FAST_FAIL_REGISTER_OPTIONS, type SessionEngineOptions } from '../options.js';
import type { PageLock } from '../page-lock.js';
import type { ApiRtcSdk } from '../sdk.js';
import { fromSdkError } from '../sdk-errors.js';
import type { TokenSource } from '../token-source.js';
import type { UserAgentHandle } from '../user-agent.js';
import { validateAuth, validateRegistration, validateTimings } from '../validate.js';
import type { Input } from './phase.js';

/** What an attempt needs from the runner. */
export interface AttemptHost {
  options(): SessionEngineOptions;
  clock: Clock;
  tokens: TokenSource;
  lock: PageLock;
  /** Who claims the page's one session: the engine. */
  owner: object;
  loadSdk(): Promise<ApiRtcSdk>;
  newHandle(sdk: ApiRtcSdk, uri: string): UserAgentHandle;
  emit(event: SessionEvent): void;
  /** Progress and outcome, as inputs of transition(). */
  report(input: Input): void;
}

export interface AttemptPlan {
  id: number;
  reason: TokenReason;
  /** A renewal's UserAgent: its session is ended, then it registers again. */
  reuse: UserAgentHandle | undefined;
  signal: AbortSignal;
}

export const DEFAULT_REGISTER_TIMEOUT_MS = 15_000;

const noop = () => {};

/**
 * One registration: check the input, load the SDK and get the token together, end the session being renewed,
 * wait until the page holds no other session, register. Every step that waits is aborted with the attempt;
 * what it reports after being superseded, the runner drops.
 */
export async function runAttempt(host: AttemptHost, { id, reason, reuse, signal }: AttemptPlan): Promise<void> {
  try {
    // StrictMode mounts, unmounts and mounts again in one go: let that cancel us before any work.
    await Promise.resolve();
    if (signal.aborted) return;
    const options = host.options();
    const { auth } = options;
    const uri = validateAuth(auth);
    validateTimings(options);
    validateRegistration(options);
    claimPage(host, uri, auth);

    // The token is fetched while the SDK loads (it is the larger download); a failed SDK is reported first.
    const sdkLoad = host.loadSdk();
    const tokenLoad = auth.mode === 'jwt' ? freshToken(host, auth, reason, signal) : undefined;
    tokenLoad?.catch(noop);
    const sdk = await sdkLoad;
    const token = await tokenLoad;

    let handle = reuse;
    if (handle) {
      host.report({ type: 'ended', id });
      if (!(await handle.end())) handle = undefined;
    }
    await host.lock.idle(signal);
    handle ??= host.newHandle(sdk, uri);
    host.report({ type: 'took', id, handle });
    const session = await handle.register(registerParameters(options, auth, token?.value), {
      signal,
      timeoutMs: options.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
    });
    host.report({ type: 'registered', id, handle, session, expiresAt: token && localExpiry(token.decoded, token.receivedAt) });
  } catch (error) {
    host.report({ type: 'failed', id, error: fromSdkError(error) });
  }
}

/** The SDK allows one session per page: a second engine fails at once, before touching the first one's session. */
function claimPage(host: AttemptHost, uri: string, auth: AuthConfig): void {
  const identity = auth.mode === 'jwt' ? `${uri} as ${auth.userId}` : uri;
  const holder = host.lock.claim(host.owner, identity);
  if (holder === undefined) return;
  const which = holder === identity ? `with the same credentials (${identity})` : `(${holder}), so this one (${identity}) cannot register`;
  throw new ApiRtcAuthError(
    'SESSION_CONFLICT',
    `another engine on this page holds the ApiRTC session ${which}: the SDK allows one session per page. Render one <AuthProvider> and read it with useApiRtcSession() below it, or pass one engine to both (<AuthProvider engine={engine}>)`,
  );
}

/** A token from the source, checked before use. An expired one gets exactly one refetch. */
async function freshToken(host: AttemptHost, auth: JwtAuth, first: TokenReason, signal: AbortSignal) {
  const expected = { apiKey: auth.apiKey, userId: auth.userId };
  let reason = first;
  for (let tries = 0; ; tries += 1) {
    const value = await host.tokens.get(reason, signal);
    const receivedAt = host.clock.now();
    try {
      const decoded = decodeApiRtcToken(value, expected, receivedAt);
      host.emit({ type: 'token', reason, expiresAt: localExpiry(decoded, receivedAt), jti: decoded.jti });
      return { value, decoded, receivedAt };
    } catch (error) {
      if (tries > 0 || literalToken(auth) !== undefined || !(error instanceof ApiRtcAuthError) || error.code !== 'TOKEN_EXPIRED') throw error;
      reason = 'expired';
    }
  }
}

function registerParameters(options: SessionEngineOptions, auth: AuthConfig, token: string | undefined): object {
  const base = { ...FAST_FAIL_REGISTER_OPTIONS, ...options.registerOptions, cloudUrl: cloudUrlOf(options) };
  if (auth.mode === 'login') return { ...base, password: auth.password };
  if (auth.mode === 'jwt') return { ...base, id: auth.userId, token };
  return base;
}
