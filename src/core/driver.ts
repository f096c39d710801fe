import { systemClock, type Clock } from './clock.js';
import { literalToken, sameValue, validateAuth, validateTimings, type AuthConfig, type JwtAuth, type JwtLiteralAuth, type JwtTokenUrlAuth, type TokenReason } from './credentials.js';
import { scheduleAt } from './deadline.js';
import { browserEnvironment, listen, type Environment } from './environment.js';
import { ApiRtcAuthError } from './errors.js';
import { decodeApiRtcToken, localExpiry, type DecodedToken } from './jwt.js';
import { cloudUrlOf, FAST_FAIL_REGISTER_OPTIONS, type SessionConfig, type SessionEngineOptions } from './options.js';
import { hardDeadline, planRenewal } from './renewal.js';
import { loadApiRtcSdk, type ApiRtcSdk, type Session, type SessionLike, type UserAgent, type UserAgentLike } from './sdk.js';
import { fromSdkError } from './sdk-errors.js';
import { initialState, type SessionEvent, type SessionSnapshot, type SessionState } from './state.js';
import { createTokenSource, type TokenSource } from './token-source.js';

/** A UserAgent this engine created, with its listeners. */
interface OwnedUserAgent {
  ua: UserAgentLike;
  uri: string;
  /** register() is in flight: unregister only once it settles. */
  registering: boolean;
  /** No longer ours: unregistered (or will be, once register() settles). */
  released: boolean;
  /** The unregister() in flight or done (a renewal's, then the final one): never two at once. */
  ended?: Promise<void> | undefined;
  /** The SDK's last word on the socket: false after 'disconnected', 'retry' or 'error' until 'connected'. */
  connected: boolean;
  /** The id of its registered session, until that is unregistered (for the `unregistered` event). */
  sessionId?: string | undefined;
  onScriptError?: (() => void) | undefined;
  detach: () => void;
}

/** One registration attempt. Aborted when superseded: every await re-checks it. */
interface Run {
  controller: AbortController;
  reason: TokenReason;
}

interface Deferred {
  promise: Promise<Session>;
  resolve: (session: Session) => void;
  reject: (error: ApiRtcAuthError) => void;
}

const noop = () => {};

/**
 * Unregisters and superseded register() calls in flight, per SDK module. The SDK's socket layer is
 * page-wide, so a registration anywhere on the page (a provider remounted with a new key too) waits for them.
 */
const inFlight = new WeakMap<ApiRtcSdk, Set<Promise<unknown>>>();

function inFlightOn(sdk: ApiRtcSdk): Set<Promise<unknown>> {
  let promises = inFlight.get(sdk);
  if (!promises) inFlight.set(sdk, (promises = new Set()));
  return promises;
}

const aborted = (why: string) => new ApiRtcAuthError('ABORTED', why);

/** What the driver needs from the SessionEngine that loaded it: the store lives there, in the first chunk. */
export interface DriverHost {
  /** The latest options (props), read at each use. */
  getOptions(): SessionEngineOptions;
  getSnapshot(): SessionSnapshot;
  update(patch: Partial<SessionState>): void;
  emit(event: SessionEvent): void;
}

/**
 * Everything that keeps one UserAgent and its Session registered: attempts, tokens, renewal,
 * retries, recovery. Loaded on first use, next to the SDK, so the first chunk holds only the store.
 */
export class SessionDriver {
  readonly #host: DriverHost;
  /** The options last taken into account (at creation or by sync()), to tell what a change changed. */
  #applied: SessionEngineOptions;
  readonly #clock: Clock;
  readonly #env: Environment;
  readonly #tokens: TokenSource;
  #run: Run | undefined;
  #owned: OwnedUserAgent | undefined;
  /** This driver's unregisters and superseded register() calls in flight: unregister() waits for them. */
  readonly #ending = new Set<Promise<unknown>>();
  /** The same, page-wide for the loaded SDK: a new registration waits for them, so one app never holds two sessions. */
  #pageEnding: Set<Promise<unknown>> = this.#ending;
  #pending: Deferred | undefined;
  /** register() called while a renewal runs: settled by its outcome, or with the session a failed renewal keeps. */
  #registerDuringRenewal: Deferred | undefined;
  #wanted = false;
  #failures = 0;
  #refusedOnce = false;
  /** Stopped by a failure that won't pass, with no session: only a new register() (or start()) goes again. */
  #halted = false;
  #cancelScheduled = noop;
  #cancelWatchdog = noop;

  constructor(host: DriverHost) {
    this.#host = host;
    const options = host.getOptions();
    this.#applied = options;
    this.#clock = options.clock ?? systemClock;
    this.#env = options.environment ?? browserEnvironment();
    this.#tokens = createTokenSource({
      readAuth: () => this.#options.auth as JwtAuth,
      clock: this.#clock,
      timeoutMs: () => this.#options.tokenTimeoutMs ?? 15_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  get #options(): SessionEngineOptions {
    return this.#host.getOptions();
  }

  get #state(): SessionSnapshot {
    return this.#host.getSnapshot();
  }

  /** Bounds register() and unregister() alike: the SDK can hang on either. */
  get #registerTimeoutMs(): number {
    return this.#options.registerTimeoutMs ?? 15_000;
  }

  // ---- lifecycle ----

  /** Mount: registers unless `autoRegister` is false. Safe to call again after stop() or a failure that won't pass. */
  start(): void {
    // The store checked autoRegister. Already on it (an attempt, a session, a scheduled retry)? Only a halt goes again.
    if (!this.#wanted || this.#halted) void this.register().catch(noop);
  }

  /** Unmount: ends the session, cancels everything in flight, leaves no timer or listener. */
  stop(): void {
    void this.unregister().catch(noop);
  }

  /**
   * The host has new options. Compared by value: an inline object literal with the same content changes
   * nothing. A new literal `token` alone renews on the same UserAgent; anything else that decides the
   * Session re-registers.
   */
  sync(): void {
    const previous = this.#applied;
    const next = this.#options;
    this.#applied = next;
    if (sameValue(sessionConfig(previous), sessionConfig(next)) || !this.#wanted) return;
    if (onlyTokenChanged(previous, next) && this.#state.session) {
      void this.#begin('renew');
      return;
    }
    this.#restart('initial', 'the configuration changed');
  }

  // ---- actions ----

  /** Registers (if not already), resolving with the Session; rejects with a failure that won't pass. */
  register(): Promise<Session> {
    this.#wanted = true;
    const { session, status } = this.#state;
    if (session && status !== 'renewing') return Promise.resolve(session);
    if (!this.#run) return this.#begin('initial');
    if (status !== 'renewing') return this.#deferred().promise;
    // A renewal that fails (for now or for good) keeps the old session when it can: registered all the same.
    return (this.#registerDuringRenewal ??= deferred()).promise;
  }

  /** Re-registers now with a fresh token (or registers, if not registered). */
  renew(): Promise<Session> {
    this.#wanted = true;
    if (this.#run) return this.#deferred().promise;
    return this.#begin(this.#state.session ? 'renew' : 'initial');
  }

  /** Ends the session through `ua.unregister()` and stops every retry and renewal. */
  async unregister(): Promise<void> {
    this.#wanted = false;
    this.#resetCounters();
    this.#abortRun('unregister() was called');
    this.#settle(undefined, aborted('unregister() was called'));
    const owned = this.#owned;
    this.#update({ ...initialState });
    // Resolves once no session of ours is left: a register() still in flight, and the session it may bring, too.
    const [released] = await Promise.allSettled([owned && this.#release(owned, 'unregister() was called'), ...this.#ending]);
    if (released?.status === 'rejected') throw released.reason;
  }

  // ---- the registration attempt ----

  #begin(reason: TokenReason): Promise<Session> {
    if (this.#halted) this.#resetCounters(); // a new try after a failure that won't pass starts afresh
    this.#halted = false;
    this.#abortRun('superseded by a newer attempt');
    const run: Run = { controller: new AbortController(), reason };
    this.#run = run;
    const { promise } = this.#deferred();
    void this.#execute(run);
    return promise;
  }

  async #execute(run: Run): Promise<void> {
    const { signal } = run.controller;
    try {
      // StrictMode mounts, unmounts and mounts again in one go: let that cancel us before any work.
      await Promise.resolve();
      if (signal.aborted) return;
      const { auth } = this.#options;
      const uri = validateAuth(auth);
      validateTimings(this.#options);
      const renewing = this.#state.session !== undefined;
      this.#update({ status: renewing ? 'renewing' : 'registering', retryAt: undefined });

      const sdk = await this.#loadSdk();
      this.#pageEnding = inFlightOn(sdk);
      if (signal.aborted) return;
      const token = auth.mode === 'jwt' ? await this.#freshToken(run, auth) : undefined;
      if (signal.aborted) return;

      // The old session ends before the new one starts (renewal, refused reconnect, kick).
      if (this.#owned && this.#owned.uri !== uri) this.#releaseQuietly(this.#owned, 'the uri changed');
      if (this.#owned?.ua.isRegistered()) await this.#endSession(this.#owned);
      await Promise.allSettled(this.#pageEnding);
      if (signal.aborted) return;

      const owned = this.#owned ?? this.#createUserAgent(sdk, uri);
      const session = await this.#registerWithTimeout(owned, run, this.#registerParameters(auth, token?.value));
      if (signal.aborted) {
        // Superseded while register() was resolving: this session is nobody's.
        this.#releaseStale(owned, session);
        return;
      }
      this.#onRegistered(owned, session, token);
    } catch (error) {
      if (!signal.aborted) this.#fail(error);
    } finally {
      if (this.#run === run) this.#run = undefined;
    }
  }

  #loadSdk(): Promise<ApiRtcSdk> {
    return (this.#options.loadSdk ?? loadApiRtcSdk)().catch((error: unknown) => {
      throw new ApiRtcAuthError('SDK_LOAD_FAILED', 'could not load @apirtc/apirtc', { retryable: true, cause: error });
    });
  }

  /** A token from the source, checked before use. An expired one gets exactly one refetch. */
  async #freshToken(run: Run, auth: JwtAuth): Promise<{ value: string; decoded: DecodedToken; receivedAt: number }> {
    const expected = { apiKey: auth.apiKey, userId: auth.userId };
    let reason = run.reason;
    for (let tries = 0; ; tries += 1) {
      const value = await this.#tokens.get(reason, run.controller.signal);
      const receivedAt = this.#clock.now();
      try {
        const decoded = decodeApiRtcToken(value, expected, receivedAt);
        this.#emit({ type: 'token', reason, expiresAt: localExpiry(decoded, receivedAt), jti: decoded.jti });
        return { value, decoded, receivedAt };
      } catch (error) {
        if (tries > 0 || literalToken(auth) !== undefined || !(error instanceof ApiRtcAuthError) || error.code !== 'TOKEN_EXPIRED') throw error;
        reason = 'expired';
      }
    }
  }

  #registerParameters(auth: AuthConfig, token: string | undefined): object {
    const base = { ...FAST_FAIL_REGISTER_OPTIONS, ...this.#options.registerOptions, cloudUrl: cloudUrlOf(this.#options) };
    if (auth.mode === 'login') return { ...base, password: auth.password };
    if (auth.mode === 'jwt') return { ...base, id: auth.userId, token };
    return base;
  }

  #createUserAgent(sdk: ApiRtcSdk, uri: string): OwnedUserAgent {
    const ua = new sdk.UserAgent({ uri });
    const owned: OwnedUserAgent = { ua, uri, registering: false, released: false, connected: false, detach: noop };
    const onConnection = (payload: unknown) => this.#onConnectionStatus(owned, payload);
    const onScript = (payload: unknown) => {
      if ((payload as { status?: unknown } | null)?.status === 'error') owned.onScriptError?.();
    };
    ua.on('ccsConnectionStatus', onConnection);
    ua.on('externalJsLoadingStatus', onScript);
    owned.detach = () => {
      ua.removeListener('ccsConnectionStatus', onConnection);
      ua.removeListener('externalJsLoadingStatus', onScript);
    };
    this.#owned = owned;
    return owned;
  }

  /**
   * register() with our own timeout: the SDK's can hang forever (socket script unreachable). When the
   * attempt is superseded, the next one waits for this register() to settle, up to the same timeout:
   * a late session is unregistered first, so that it never overlaps the next one.
   */
  #registerWithTimeout(owned: OwnedUserAgent, run: Run, parameters: object): Promise<SessionLike> {
    const timeoutMs = this.#registerTimeoutMs;
    return new Promise((resolve, reject) => {
      let settled = false;
      // register() settled (and a late session's unregister, with its own timeout, done) or timed out.
      let over!: (ended?: Promise<void>) => void;
      const overPromise = new Promise<void>((resolve) => (over = resolve));
      const finish = (error: ApiRtcAuthError | undefined, session?: SessionLike) => {
        if (settled) return;
        settled = true;
        run.controller.signal.removeEventListener('abort', onAbort);
        owned.onScriptError = undefined;
        if (error) {
          // A UserAgent whose register() failed or hung is not trusted again: the next attempt gets a new one.
          this.#releaseQuietly(owned, error.message);
          reject(error);
        } else {
          resolve(session as SessionLike);
        }
      };
      const fail = (error: ApiRtcAuthError) => {
        this.#clock.clearTimeout(timer);
        over();
        finish(error);
      };
      const onAbort = () => {
        this.#track(overPromise); // the timer keeps running: it bounds the next attempt's wait
        finish(aborted('superseded while register() was in flight'));
      };
      const timer = this.#clock.setTimeout(
        () => fail(new ApiRtcAuthError('REGISTER_TIMEOUT', `register() did not settle within ${timeoutMs} ms`, { retryable: true })),
        timeoutMs,
      );
      run.controller.signal.addEventListener('abort', onAbort);
      owned.onScriptError = () =>
        fail(new ApiRtcAuthError('REGISTER_FAILED', 'the SDK could not load the socket.io client from the cloud', { retryable: true }));
      owned.registering = true;
      // Through a promise, so that a register() that throws synchronously still settles this attempt.
      Promise.resolve()
        .then(() => owned.ua.register(parameters))
        .then(
          (session) => {
            owned.registering = false;
            this.#clock.clearTimeout(timer);
            if (settled || owned.released) this.#releaseStale(owned, session);
            else finish(undefined, session);
            over(owned.ended?.catch(noop));
          },
          (error: unknown) => {
            owned.registering = false;
            fail(fromSdkError(error));
          },
        );
    });
  }

  #onRegistered(owned: OwnedUserAgent, session: SessionLike, token: { decoded: DecodedToken; receivedAt: number } | undefined): void {
    const { auth } = this.#options;
    this.#resetCounters();
    // A drop during the renewal was the old session's: the new one has just connected.
    this.#cancelWatchdog();
    owned.connected = true;
    owned.sessionId = session.getId();
    const expiresAt = token ? localExpiry(token.decoded, token.receivedAt) : undefined;
    // A literal token cannot be replaced by us: it is not renewed on a timer.
    const renewable = expiresAt !== undefined && auth.mode === 'jwt' && literalToken(auth) === undefined;
    const now = this.#clock.now();
    const renewal = this.#options.renewal ?? {};
    const renewAt = renewable ? planRenewal(renewal, expiresAt, now, this.#options.random ?? Math.random) : undefined;
    this.#update({
      status: 'registered',
      session: session as unknown as Session,
      userAgent: owned.ua as unknown as UserAgent,
      error: undefined,
      expiresAt,
      renewAt,
      retryAt: undefined,
    });
    this.#emit({ type: 'registered', mode: auth.mode, sessionId: session.getId() });
    this.#settle(session as unknown as Session);
    if (renewAt !== undefined && expiresAt !== undefined) {
      this.#emit({ type: 'renewal-scheduled', renewAt, expiresAt });
      const latest = hardDeadline(renewal, expiresAt, expiresAt - now);
      this.#schedule(renewAt, () => this.#onRenewalDue(latest));
    }
  }

  /** `latest`: how long a renewal may be deferred while the session has conversations. */
  #onRenewalDue(latest: number): void {
    const session = this.#state.session as unknown as SessionLike | undefined;
    const conversations = this.#options.renewal?.deferWhileInConversation && session?.getActiveConversations
      ? Object.keys(session.getActiveConversations()).length
      : 0;
    const now = this.#clock.now();
    if (conversations > 0 && now < latest) {
      const until = Math.min(now + 5_000, latest);
      this.#update({ renewAt: until });
      this.#emit({ type: 'renewal-deferred', until, conversations });
      this.#schedule(until, () => this.#onRenewalDue(latest));
      return;
    }
    void this.#begin('renew').catch(noop);
  }

  #fail(error: unknown): void {
    const failure = fromSdkError(error);
    const { auth } = this.#options;
    this.#emit({ type: 'error', error: failure });
    // A refused token may be a stale one: fetch a fresh token once before giving up.
    if (failure.code === 'UNAUTHORIZED' && auth.mode === 'jwt' && literalToken(auth) === undefined && !this.#refusedOnce) {
      this.#refusedOnce = true;
      void this.#begin('refused');
      return;
    }
    // A renewal that failed before the old session ended keeps it: it stays usable until it expires,
    // and its socket is still watched. Without a session, nothing of the last one stays in state.
    const keepsSession = this.#state.session !== undefined;
    const reconnecting = keepsSession && this.#owned?.connected === false;
    const kept = (renewAt: number | undefined): Partial<SessionState> => ({ status: reconnecting ? 'reconnecting' : 'registered', error: failure, renewAt });
    if (reconnecting) this.#armWatchdog('retry');
    if (keepsSession) this.#settleKept();
    if (!failure.retryable) {
      this.#halted = !keepsSession;
      this.#update(keepsSession ? kept(undefined) : { ...initialState, status: 'error', error: failure });
      this.#settle(undefined, failure);
      return;
    }
    this.#failures += 1;
    const base = this.#options.retry?.baseDelayMs ?? 1_000;
    const max = this.#options.retry?.maxDelayMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** (this.#failures - 1));
    // "Equal jitter": half fixed, half random, so retries of many clients spread out.
    const at = this.#clock.now() + Math.round(delay / 2 + (delay / 2) * (this.#options.random ?? Math.random)());
    // Offline, with a window to say when it is back: don't burn attempts, go again on `online`.
    const offline = () => !this.#env.isOnline() && this.#env.window !== undefined;
    const retryAt = offline() ? undefined : at;
    this.#update(keepsSession ? kept(retryAt) : { ...initialState, status: 'retrying', error: failure, retryAt });
    this.#emit({ type: 'retry-scheduled', attempt: this.#failures, retryAt, error: failure });
    const again = () => void this.#begin(keepsSession ? 'renew' : 'retry').catch(noop);
    const whenOnline = () => {
      this.#cancelScheduled();
      const stop = listen(this.#env.window, ['online'], () => {
        stop();
        again();
      });
      this.#cancelScheduled = stop;
    };
    if (retryAt === undefined) return whenOnline();
    // Gone offline while waiting: wait for `online` instead of burning the attempt.
    this.#schedule(at, () => {
      if (!offline()) return again();
      this.#update(keepsSession ? { renewAt: undefined } : { retryAt: undefined });
      whenOnline();
    });
  }

  // ---- the live session ----

  #onConnectionStatus(owned: OwnedUserAgent, payload: unknown): void {
    const status = String((payload as { status?: unknown } | null)?.status ?? '');
    const down = status === 'disconnected' || status === 'retry' || status === 'error';
    if (down || status === 'connected') owned.connected = !down;
    if (this.#owned !== owned || !this.#state.session) return;
    this.#emit({ type: 'connection', status });
    if (status === 'connected') {
      this.#cancelWatchdog();
      if (this.#state.status === 'reconnecting') this.#update({ status: 'registered' });
    } else if (down) {
      if (this.#state.status === 'registered') this.#update({ status: 'reconnecting' });
      // 'error' follows a refused reconnect (the SDK then gives up for good) but also a mere transport
      // error (it then retries). A token that has expired can only be refused: recover at once.
      const { expiresAt } = this.#state;
      if (status === 'error' && expiresAt !== undefined && this.#clock.now() >= expiresAt) {
        return this.#restart('refused', 'the cloud refused the reconnect: the token has expired');
      }
      // Otherwise wait for the SDK: a network drop keeps sending 'retry'; a kick or a refusal sends nothing more.
      this.#armWatchdog(status === 'error' ? 'refused' : 'retry');
    }
  }

  #armWatchdog(reason: TokenReason): void {
    this.#cancelWatchdog();
    const timeoutMs = this.#options.reconnectTimeoutMs ?? 20_000;
    const handle = this.#clock.setTimeout(() => {
      if (!this.#env.isOnline()) return this.#armWatchdog(reason);
      this.#restart(reason, 'the socket did not reconnect');
    }, timeoutMs);
    this.#cancelWatchdog = () => {
      this.#clock.clearTimeout(handle);
      this.#cancelWatchdog = noop;
    };
  }

  /** Drop the current UserAgent (new config, or the SDK won't bring its session back) and register on a new one. */
  #restart(reason: TokenReason, why: string): void {
    if (reason === 'initial') this.#resetCounters(); // a new configuration starts afresh
    if (reason === 'refused') this.#refusedOnce = true; // this is the one fresh token after a refusal
    this.#abortRun(why);
    this.#releaseQuietly(this.#owned, why);
    this.#update({ ...initialState, status: 'registering' });
    void this.#begin(reason);
  }

  // ---- ending sessions ----

  /** Renewal: `ua.unregister()`, then the same UserAgent registers again. A failing unregister costs the UserAgent. */
  async #endSession(owned: OwnedUserAgent): Promise<void> {
    this.#update({ session: undefined });
    try {
      // A release meanwhile (unregister(), unmount) waits on this call instead of making a second one.
      await this.#end(owned);
      if (!owned.released) owned.ended = undefined; // it registers again: that session needs its own unregister()
    } catch {
      owned.ended = Promise.resolve(); // it failed or hung once: don't wait on it again
      this.#releaseQuietly(owned, 'unregister() failed');
    }
  }

  /**
   * This UserAgent is no longer ours: forget it and unregister it, now or, if its register() is
   * still in flight, as soon as that settles. Idempotent.
   */
  #release(owned: OwnedUserAgent, reason: string): Promise<void> {
    if (this.#owned === owned) this.#owned = undefined;
    if (owned.released) return Promise.resolve();
    owned.released = true;
    owned.detach();
    this.#emit({ type: 'user-agent-released', reason });
    return owned.registering ? Promise.resolve() : this.#end(owned);
  }

  /** `ua.unregister()`, one at a time per UserAgent; says `unregistered` for the session it ended. */
  #end(owned: OwnedUserAgent): Promise<void> {
    return (owned.ended ??= this.#track(this.#unregisterUserAgent(owned.ua)).then(() => {
      if (owned.sessionId !== undefined) this.#emit({ type: 'unregistered', sessionId: owned.sessionId });
      owned.sessionId = undefined;
    }));
  }

  #releaseQuietly(owned: OwnedUserAgent | undefined, reason: string): void {
    if (owned) this.#release(owned, reason).catch(noop);
  }

  /** A session registered for an attempt that was superseded: unregister it at once. */
  #releaseStale(owned: OwnedUserAgent, session: SessionLike): void {
    this.#emit({ type: 'stale-session-unregistered', sessionId: session.getId() });
    if (!owned.released) return this.#releaseQuietly(owned, 'stale registration');
    this.#end(owned).catch(noop);
  }

  #unregisterUserAgent(ua: UserAgentLike): Promise<void> {
    const timeoutMs = this.#registerTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => reject(new ApiRtcAuthError('UNREGISTER_FAILED', `unregister() did not settle within ${timeoutMs} ms`)), timeoutMs);
      Promise.resolve()
        .then(() => ua.unregister())
        .then(resolve, (error: unknown) => reject(new ApiRtcAuthError('UNREGISTER_FAILED', 'unregister() failed', { cause: error })))
        .finally(() => this.#clock.clearTimeout(timer));
    });
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const sets = new Set([this.#ending, this.#pageEnding]);
    for (const set of sets) set.add(promise);
    const forget = () => {
      for (const set of sets) set.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  // ---- plumbing ----

  /** Backoff and the one refetch after a refused token start again after a success, unregister() or a new config. */
  #resetCounters(): void {
    this.#failures = 0;
    this.#refusedOnce = false;
  }

  #abortRun(why: string): void {
    this.#cancelScheduled();
    this.#cancelScheduled = noop;
    this.#cancelWatchdog();
    const run = this.#run;
    this.#run = undefined;
    run?.controller.abort(aborted(why));
  }

  #schedule(at: number, callback: () => void): void {
    this.#cancelScheduled();
    this.#cancelScheduled = scheduleAt(this.#clock, this.#env, at, callback);
  }

  #deferred(): Deferred {
    return (this.#pending ??= deferred());
  }

  /** Settles every caller waiting on the attempt: resolved with the session, or rejected with the error. */
  #settle(session: Session | undefined, error?: ApiRtcAuthError): void {
    for (const waiting of [this.#pending, this.#registerDuringRenewal]) {
      if (!waiting) continue;
      if (session) waiting.resolve(session);
      else waiting.reject(error ?? aborted('aborted'));
    }
    this.#pending = this.#registerDuringRenewal = undefined;
  }

  /** A failed renewal kept the old session: register() callers are registered all the same (renew() callers wait on). */
  #settleKept(): void {
    const session = this.#state.session;
    if (!session) return;
    this.#registerDuringRenewal?.resolve(session);
    this.#registerDuringRenewal = undefined;
  }

  #update(patch: Partial<SessionState>): void {
    this.#host.update(patch);
  }

  #emit(event: SessionEvent): void {
    this.#host.emit(event);
  }
}

function deferred(): Deferred {
  let resolve!: (session: Session) => void;
  let reject!: (error: ApiRtcAuthError) => void;
  const promise = new Promise<Session>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(noop); // auto-registration has no caller to handle it; callers who do still see it
  return { promise, resolve, reject };
}

function sessionConfig(options: SessionEngineOptions): SessionConfig {
  // tokenRequestInit is read at each token request (a rotating header must not end the calls): not compared.
  const { tokenRequestInit: _readWhenUsed, ...auth } = options.auth as Partial<JwtTokenUrlAuth>;
  return { auth: auth as AuthConfig, cloudUrl: cloudUrlOf(options), registerOptions: options.registerOptions ?? {} };
}

function onlyTokenChanged(previous: SessionEngineOptions, next: SessionEngineOptions): boolean {
  if (literalToken(previous.auth) === undefined || literalToken(next.auth) === undefined) return false;
  const { token: _before, ...restBefore } = previous.auth as JwtLiteralAuth;
  const { token: _after, ...restAfter } = next.auth as JwtLiteralAuth;
  return sameValue({ ...sessionConfig(previous), auth: restBefore }, { ...sessionConfig(next), auth: restAfter });
}
