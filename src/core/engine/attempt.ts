import { literalToken, type AuthConfig, type JwtAuth, type TokenReason } from '../auth.js';
import type { Clock } from '../clock.js';
import { ApiRtcAuthError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { decodeApiRtcToken, localExpiry, type DecodedToken } from '../jwt.js';
import { cloudUrlOf, FAST_FAIL_REGISTER_OPTIONS, type SessionEngineOptions } from '../options.js';
import type { PageLock } from '../page-lock.js';
import { forgetChannelId, pageOf, resetPage } from '../page-layer.js';
import type { ApiRtcSdk, SessionLike } from '../sdk.js';
import { fromSdkError } from '../sdk-errors.js';
import { MAX_CLOCK_OFFSET_MS, type TokenSource } from '../token-source.js';
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
  /** What is known of the server's clock (server minus device), learned from tokens and kept for the next ones. */
  serverClock: { offset: number | undefined };
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
    if (!handle) {
      // Whatever a failed or hung registration left in the page's socket layer would wedge the next one.
      resetPage(pageOf(sdk));
      handle = host.newHandle(sdk, uri);
    }
    // A signed-out user must not come back anonymous under the id the SDK remembers from the last session.
    if (auth.mode === 'apiKey') forgetChannelId();
    host.report({ type: 'took', id, handle });
    const session = await handle.register(registerParameters(options, auth, token?.value), {
      signal,
      timeoutMs: options.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
    });
    // A superseded attempt's session is thrown away: the next one's session leaves them.
    const left = signal.aborted ? [] : leaveStaleConversations(session);
    host.report({ type: 'registered', id, handle, session, expiresAt: token?.expiresAt });
    // Said once the new session is the state's: a listener can join them again on it.
    if (left.length > 0 && !signal.aborted) host.emit({ type: 'conversations-left', names: left });
  } catch (error) {
    host.report({ type: 'failed', id, error: fromSdkError(error) });
  }
}

/**
 * The SDK keeps conversations page-wide: a new session lists, as joined, those an earlier session joined, while
 * the cloud dropped them with that session's socket (docs/sdk-behaviour.md, section 7). Left, the SDK says what the
 * cloud knows: a later join() works, and a renewal deferred for conversations does not wait for dead ones. The
 * SDK's leave() resets the conversation at once (it sends, but does not wait for an answer). Returns their names.
 */
function leaveStaleConversations(session: SessionLike): string[] {
  const stale = Object.values(session.getActiveConversations?.() ?? {});
  for (const conversation of stale) {
    try {
      conversation.leave?.().catch(noop);
    } catch {
      // An SDK that throws instead of rejecting must not turn a registered session into a failed attempt.
    }
  }
  return stale.map((conversation) => conversation.getName?.() ?? '');
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

/**
 * A token from the source, checked before use, and timed on the server's clock: the token endpoint's Date header
 * when it sent one, else this device's clock until a source shows it is off. An expired token gets exactly
 * one refetch; a source that then hands out another token that reads as expired just as well is issuing new
 * tokens to a device whose clock runs ahead: its `iat` tells the server's time.
 */
async function freshToken(host: AttemptHost, auth: JwtAuth, first: TokenReason, signal: AbortSignal) {
  const expected = { apiKey: auth.apiKey, userId: auth.userId };
  const { serverClock } = host;
  let reason = first;
  let previous: string | undefined;
  for (;;) {
    const { token: value, serverOffset } = await host.tokens.get(reason, signal);
    const receivedAt = host.clock.now();
    if (serverOffset !== undefined) serverClock.offset = serverOffset;
    try {
      const decoded = decodeApiRtcToken(value, expected, receivedAt + (serverClock.offset ?? 0), serverOffset === undefined ? 'device' : 'server');
      return accept(host, reason, value, decoded, receivedAt);
    } catch (error) {
      if (literalToken(auth) !== undefined || !(error instanceof ApiRtcAuthError) || error.code !== 'TOKEN_EXPIRED') throw error;
      // Its claims were fine (only the time failed): read them again without judging the time.
      const claims = decodeApiRtcToken(value, expected, Number.NEGATIVE_INFINITY);
      const offset = previous !== undefined && previous !== value && serverOffset === undefined ? offsetFromIat(claims, receivedAt) : undefined;
      if (offset !== undefined) {
        serverClock.offset = offset;
        return accept(host, reason, value, claims, receivedAt);
      }
      if (previous !== undefined) throw error;
      previous = value;
      reason = 'expired';
    }
  }
}

function accept(host: AttemptHost, reason: TokenReason, value: string, decoded: DecodedToken, receivedAt: number) {
  const expiresAt = localExpiry(decoded, receivedAt, host.serverClock.offset);
  host.emit({ type: 'token', reason, expiresAt, jti: decoded.jti });
  return { value, expiresAt };
}

/** The server's clock minus this device's, read from a freshly issued token's `iat`, within sane bounds. */
function offsetFromIat({ iat, exp }: DecodedToken, receivedAt: number): number | undefined {
  if (exp !== undefined && iat !== undefined && exp <= iat) return undefined; // never valid, whatever the clock
  const offset = typeof iat === 'number' ? iat * 1000 - receivedAt : Number.NaN;
  return Math.abs(offset) <= MAX_CLOCK_OFFSET_MS ? offset : undefined;
}

function registerParameters(options: SessionEngineOptions, auth: AuthConfig, token: string | undefined): object {
  const base = { ...FAST_FAIL_REGISTER_OPTIONS, ...options.registerOptions, cloudUrl: cloudUrlOf(options) };
  if (auth.mode === 'login') return { ...base, password: auth.password };
  if (auth.mode === 'jwt') return { ...base, id: auth.userId, token };
  return base;
}
