import { sameValue } from '../same-value.js';
import type { JwtAuth, JwtLiteralAuth, JwtTokenUrlAuth } from '../auth.js';
import { literalToken } from '../auth.js';
import { systemClock, type Clock } from '../clock.js';
import { browserEnvironment, type Environment } from '../environment.js';
import { aborted, ApiRtcAuthError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import { cloudUrlOf, type SessionEngineOptions } from '../options.js';
import { pageLockOf, type PageLock } from '../page-lock.js';
import { loadApiRtcSdk, type ApiRtcSdk, type Session } from '../sdk.js';
import { createTimers, type TimerName, type Timers } from '../timers.js';
import { createTokenSource, type TokenSource } from '../token-source.js';
import { UserAgentHandle } from '../user-agent.js';
import { DEFAULT_REGISTER_TIMEOUT_MS, runAttempt, type AttemptHost } from './attempt.js';
import { TIMERS_OF, type Effect, type Input, type Phase } from './phase.js';
import { transition } from './transition.js';

/** What the runner needs from the store (the SessionEngine in the first chunk). */
export interface RunnerHost {
  /** The latest options (props), read at each use. */
  getOptions(): SessionEngineOptions;
  /** Publishes the phase: the store's only way to change its state. */
  setPhase(phase: Phase): void;
  emit(event: SessionEvent): void;
}

interface Waiting {
  resolve(session: Session): void;
  reject(error: ApiRtcAuthError): void;
  /** register() rather than renew(): a session kept through a failed renewal settles it. */
  takesKept: boolean;
}

const noop = () => {};

/**
 * Carries out what transition() decides: starts and aborts attempts, releases UserAgents, arms timers, emits
 * events, settles the actions' promises. It is the one place where an input from a superseded attempt or a
 * released UserAgent is dropped. Loaded on first use, next to the SDK, so the first chunk holds only the store.
 */
export class SessionRunner {
  readonly #host: RunnerHost;
  #phase: Phase = { kind: 'idle' };
  #nextId = 1;
  #attempt: { id: number; controller: AbortController } | undefined;
  #waiting: Waiting[] = [];
  /** This engine's UserAgents that are not gone yet: unregister() waits for the released ones. */
  readonly #handles = new Set<UserAgentHandle>();
  /** The options last taken into account, to tell what a change changed. */
  #applied: SessionEngineOptions;
  readonly #clock: Clock;
  readonly #env: Environment;
  readonly #timers: Timers;
  readonly #lock: PageLock;
  readonly #attemptHost: AttemptHost;

  constructor(host: RunnerHost) {
    this.#host = host;
    const options = host.getOptions();
    this.#applied = options;
    const clock = (this.#clock = options.clock ?? systemClock);
    const env = (this.#env = options.environment ?? browserEnvironment());
    this.#lock = pageLockOf(env);
    this.#timers = createTimers(clock, env, (timer) => this.#dispatch({ type: 'due', timer, conversations: this.#conversations(timer) }));
    const tokens: TokenSource = createTokenSource({
      readAuth: () => this.#options.auth as JwtAuth,
      clock,
      timeoutMs: () => this.#options.tokenTimeoutMs ?? 15_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#attemptHost = {
      options: () => this.#options,
      clock,
      tokens,
      lock: this.#lock,
      owner: this,
      serverClock: { offset: undefined },
      loadSdk: () => this.#loadSdk(),
      newHandle: (sdk, uri) => this.#newHandle(sdk, uri),
      emit: (event) => host.emit(event),
      report: (input) => this.#dispatch(input),
    };
  }

  get #options(): SessionEngineOptions {
    return this.#host.getOptions();
  }

  // ---- the store's calls ----

  start(): void {
    this.#dispatch({ type: 'start' });
  }

  stop(): void {
    this.unregister().catch(noop);
  }

  /** New options, compared by value with the last ones taken into account. */
  sync(): void {
    const previous = this.#applied;
    const next = (this.#applied = this.#options);
    if (sameValue(sessionConfig(previous), sessionConfig(next))) return;
    this.#dispatch({ type: 'config', change: onlyTokenChanged(previous, next) ? 'token' : 'session' });
  }

  register(): Promise<Session> {
    return this.#wait('register');
  }

  renew(): Promise<Session> {
    return this.#wait('renew');
  }

  /** Resolves once no session of this engine is left: a register() still in flight, and the session it may bring, too. */
  async unregister(): Promise<void> {
    const released = this.#dispatch({ type: 'unregister', why: 'unregister() was called' });
    const results = await Promise.allSettled([...released, ...[...this.#handles].map((handle) => handle.settled)]);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  // ---- the loop ----

  #wait(type: 'register' | 'renew'): Promise<Session> {
    const promise = new Promise<Session>((resolve, reject) => this.#waiting.push({ resolve, reject, takesKept: type === 'register' }));
    promise.catch(noop); // auto-registration has no caller to handle it; callers who do still see it
    this.#dispatch({ type });
    return promise;
  }

  /** Feeds one input through transition() and carries out its effects; returns the releases it started. */
  #dispatch(input: Input): Promise<void>[] {
    if (this.#isStale(input)) return [];
    const options = this.#options;
    const { phase, effects } = transition(this.#phase, input, {
      now: this.#clock.now(),
      offline: !this.#env.isOnline() && this.#env.window !== undefined,
      options,
      random: options.random ?? Math.random,
      nextId: this.#nextId,
    });
    if (phase.kind !== this.#phase.kind) this.#disarmTimersNotOf(phase);
    this.#phase = phase;
    // Without a session or an attempt, the page's one session is free for another engine.
    if (phase.kind === 'idle' || phase.kind === 'halted') this.#lock.free(this);
    this.#host.setPhase(phase); // the store publishes only what changed

    if (input.type === 'failed') this.#attempt?.controller.abort(aborted('the attempt failed')); // e.g. a token request still in flight
    return effects.flatMap((effect) => this.#run(effect) ?? []);
  }

  /**
   * Inputs of a superseded attempt or a UserAgent that is not the phase's are dropped here, and only here.
   * A UserAgent a superseded attempt took, or registered, is released on the way.
   */
  #isStale(input: Input): boolean {
    const phase = this.#phase;
    switch (input.type) {
      case 'ended':
      case 'took':
      case 'registered':
      case 'failed': {
        if (phase.kind === 'attempt' && phase.id === input.id) return false;
        if (input.type === 'took') input.handle.release('superseded').catch(noop);
        if (input.type === 'registered') input.handle.discard(input.session);
        return true;
      }
      case 'socket':
        // Only the session the phase holds has a socket that matters: the live one, or the one a renewal keeps.
        return input.handle !== (phase.kind === 'live' ? phase.live.handle : phase.kind === 'attempt' ? phase.kept?.handle : undefined);
      default:
        return false;
    }
  }

  #run(effect: Effect): Promise<void> | undefined {
    switch (effect.type) {
      case 'attempt': {
        const controller = new AbortController();
        this.#attempt = { id: effect.id, controller };
        this.#nextId = effect.id + 1;
        void runAttempt(this.#attemptHost, { id: effect.id, reason: effect.reason, reuse: effect.reuse, signal: controller.signal });
        return undefined;
      }
      case 'abort':
        this.#attempt?.controller.abort(aborted(effect.why));
        this.#attempt = undefined;
        return undefined;
      case 'release': {
        const released = effect.handle.release(effect.why);
        released.catch(noop);
        return released;
      }
      case 'at':
        this.#timers.at(effect.timer, effect.at);
        return undefined;
      case 'after':
        this.#timers.after(effect.timer, effect.ms);
        return undefined;
      case 'when-online':
        this.#timers.whenOnline(effect.timer);
        return undefined;
      case 'disarm':
        this.#timers.disarm(effect.timer);
        return undefined;
      case 'emit':
        this.#host.emit(effect.event);
        return undefined;
      case 'resolve':
      case 'resolve-kept': {
        const session = effect.session as unknown as Session;
        const all = effect.type === 'resolve';
        for (const waiting of this.#waiting) if (all || waiting.takesKept) waiting.resolve(session);
        this.#waiting = all ? [] : this.#waiting.filter((waiting) => !waiting.takesKept);
        return undefined;
      }
      case 'reject': {
        for (const waiting of this.#waiting) waiting.reject(effect.error);
        this.#waiting = [];
        return undefined;
      }
    }
  }

  /** A timer lives only as long as the phase that owns it. */
  #disarmTimersNotOf(phase: Phase): void {
    for (const timer of ['next', 'watchdog'] as const) if (!TIMERS_OF[phase.kind].includes(timer)) this.#timers.disarm(timer);
  }

  #conversations(timer: TimerName): number {
    const phase = this.#phase;
    if (timer !== 'next' || phase.kind !== 'live' || !this.#options.renewal?.deferWhileInConversation) return 0;
    const conversations = phase.live.session.getActiveConversations?.();
    return conversations ? Object.keys(conversations).length : 0;
  }

  #newHandle(sdk: ApiRtcSdk, uri: string): UserAgentHandle {
    const handle = new UserAgentHandle(sdk, uri, {
      clock: this.#clock,
      lock: this.#lock,
      emit: (event) => this.#host.emit(event),
      onSocket: (from, status, gaveUp) => this.#dispatch({ type: 'socket', handle: from, status, gaveUp }),
      unregisterTimeoutMs: () => this.#options.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
    });
    this.#handles.add(handle);
    void handle.settled.then(() => this.#handles.delete(handle));
    return handle;
  }

  #loadSdk(): Promise<ApiRtcSdk> {
    return (this.#options.loadSdk ?? loadApiRtcSdk)().catch((error: unknown) => {
      throw new ApiRtcAuthError('SDK_LOAD_FAILED', 'could not load @apirtc/apirtc', { retryable: true, cause: error });
    });
  }
}

interface ComparedConfig {
  auth: unknown;
  cloudUrl: string;
  registerOptions: unknown;
}

function sessionConfig(options: SessionEngineOptions): ComparedConfig {
  // tokenRequestInit is read at each token request (a rotating header must not end the calls): not compared.
  const { tokenRequestInit: _readWhenUsed, ...auth } = options.auth as Partial<JwtTokenUrlAuth>;
  return { auth, cloudUrl: cloudUrlOf(options), registerOptions: options.registerOptions ?? {} };
}

function onlyTokenChanged(previous: SessionEngineOptions, next: SessionEngineOptions): boolean {
  if (literalToken(previous.auth) === undefined || literalToken(next.auth) === undefined) return false;
  const { token: _before, ...restBefore } = previous.auth as JwtLiteralAuth;
  const { token: _after, ...restAfter } = next.auth as JwtLiteralAuth;
  return sameValue({ ...sessionConfig(previous), auth: restBefore }, { ...sessionConfig(next), auth: restAfter });
}
