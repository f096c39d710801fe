import { ApiRtcAuthError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import type { SessionEngineOptions } from '../options.js';
import { loadApiRtcSdk, type Session } from '../sdk.js';
import type { SessionSnapshot, SessionState } from '../state.js';
import { NO_RETRIES, type Phase } from './phase.js';
import { IDLE, project } from './project.js';
import type { RunnerHost, SessionRunner } from './runner.js';

const noop = () => {};

/** A failing logger must not break the session: its error is reported, never swallowed. */
function report(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * One UserAgent and its Session, kept registered: the framework-agnostic core behind AuthProvider.
 * A vanilla external store (`subscribe` / `getSnapshot`) plus the actions `register`, `unregister`, `renew`.
 * This class is only the store: the logic (the runner and transition()) is loaded on first use, like the SDK,
 * so nothing of it weighs on the first chunk or runs during server-side rendering.
 *
 * @example
 * ```ts
 * const engine = createSessionEngine({ auth: { mode: 'apiKey', apiKey: 'myApiKey' }, cloudUrl: 'http://127.0.0.1:3010' });
 * const stop = engine.subscribe(() => console.log(engine.getSnapshot().status));
 * const session = await engine.register();
 * await engine.unregister();
 * stop();
 * ```
 */
export class SessionEngine {
  private state: SessionSnapshot;
  /** The state before anything happened: what a server rendered, and what hydration must see again. */
  private readonly initial: SessionSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(timed: { at: number; event: SessionEvent }) => void>();
  private options: SessionEngineOptions;
  /** The runner's chunk, loading or loaded (a preload starts it); `runner` is the same with its failure published. */
  private loaded: Promise<SessionRunner> | undefined;
  private runner: Promise<SessionRunner> | undefined;
  private started = false;

  constructor(options: SessionEngineOptions) {
    this.options = options;
    this.state = this.initial = { ...IDLE, register: this.register, unregister: this.unregister, renew: this.renew };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.state;

  /**
   * Every engine event from now on, with when it happened (the engine's clock): what `onEvent` receives, for more
   * than one reader (the devtools panel subscribes here). Never a secret. Returns the unsubscribe.
   */
  subscribeEvents = (listener: (timed: { at: number; event: SessionEvent }) => void): (() => void) => {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  };

  /** For useSyncExternalStore's server snapshot: always the initial state (status `idle`), as the server rendered it. */
  getServerSnapshot = (): SessionSnapshot => this.initial;

  /** The options in use (the provider's props). */
  getOptions(): SessionEngineOptions {
    return this.options;
  }

  /** Mount: registers unless `autoRegister` is false. Safe to call again after stop(). */
  start(): void {
    this.started = true;
    if (this.options.autoRegister === false) return;
    this.loading();
    this.use((runner) => runner.start()).catch(noop);
  }

  /** Unmount: ends the session, cancels everything in flight, leaves no timer or listener. */
  stop(): void {
    this.started = false;
    if (this.runner) this.use((runner) => runner.stop()).catch(noop);
  }

  /**
   * New options. Compared by value: an inline object literal with the same content changes nothing.
   * A new literal `token` alone renews on the same UserAgent; anything else that decides the Session re-registers.
   */
  setOptions(next: SessionEngineOptions): void {
    const turnedOn = this.options.autoRegister === false && next.autoRegister !== false;
    this.options = next;
    if (this.runner) this.use((runner) => runner.sync()).catch(noop);
    // autoRegister turned on while mounted: register as a mount would. (Turned off, it leaves the session alone.)
    if (turnedOn && this.started) this.start();
  }

  /** Registers (if not already), resolving with the Session; rejects with a failure that won't pass. */
  register = (): Promise<Session> => {
    this.loading();
    return this.use((runner) => runner.register());
  };

  /** Re-registers now with a fresh token (or registers, if not registered). */
  renew = (): Promise<Session> => {
    this.loading();
    return this.use((runner) => runner.renew());
  };

  /** Ends the session through `ua.unregister()` and stops every retry and renewal. */
  unregister = (): Promise<void> => {
    if (this.runner) return this.use((runner) => runner.unregister());
    this.publish({ kind: 'idle' }); // nothing was loaded, nothing to end (e.g. after the engine's chunk failed to load)
    return Promise.resolve();
  };

  /** The first load of the runner takes a moment (a chunk to fetch): say so at once rather than stay idle. */
  private loading(): void {
    const { status, error } = this.state;
    if (status !== 'idle' && status !== 'error') return;
    this.publish({ kind: 'attempt', id: 0, reason: 'initial', renewing: false, retries: NO_RETRIES, error, kept: undefined, handle: undefined });
  }

  /**
   * Starts loading the engine's chunk and the SDK without registering, for when a register is coming: the
   * provider calls it on its first render, a paint before its effect registers; with `autoRegister: false`, call
   * it when the user heads for a call. Does nothing on a server. A failed load is reported by the next register.
   * A custom `loadSdk` is left for the registration to call.
   *
   * @example
   * ```tsx
   * <button onPointerEnter={engine.preload} onClick={() => engine.register()}>Join</button>
   * ```
   */
  preload = (): void => {
    if (typeof window !== 'undefined') this.load().catch(noop);
  };

  private load(): Promise<SessionRunner> {
    if (this.loaded) return this.loaded;
    const loaded = import('./runner.js').then(({ SessionRunner }) => new SessionRunner(this.host));
    // A failed chunk load may succeed next time.
    this.loaded = loaded.catch((error: unknown) => {
      this.loaded = this.runner = undefined;
      throw error;
    });
    // The SDK's chunk starts loading with the runner's, not after it: one round trip less before register().
    // Asked second: when both are already fetched (a head start), the runner runs first and its token request
    // is on its way before the SDK's evaluation holds the main thread.
    if (!this.options.loadSdk) loadApiRtcSdk().catch(noop);
    return this.loaded;
  }

  /** Runs `action` on the runner, loading it first; calls keep their order while it loads. */
  private use<T>(action: (runner: SessionRunner) => T | Promise<T>): Promise<T> {
    this.runner ??= this.load().catch((error: unknown) => {
      const failure = new ApiRtcAuthError('SDK_LOAD_FAILED', 'could not load the session engine', { retryable: true, cause: error });
      this.emit({ type: 'error', error: failure });
      this.publish({ kind: 'halted', error: failure });
      throw failure;
    });
    return this.runner.then(action);
  }

  private readonly host: RunnerHost = {
    getOptions: () => this.options,
    setPhase: (phase) => this.publish(phase),
    emit: (event) => this.emit(event),
  };

  /** The store's one writer: the state is always the projection of a phase. */
  private publish(phase: Phase): void {
    const next: SessionState = project(phase);
    const keys = Object.keys(next) as (keyof SessionState)[];
    if (keys.every((key) => Object.is(next[key], this.state[key]))) return;
    const statusChanged = next.status !== this.state.status;
    this.state = { ...next, register: this.register, unregister: this.unregister, renew: this.renew };
    if (statusChanged) this.emit({ type: 'status', status: next.status });
    for (const listener of [...this.listeners]) listener();
  }

  private emit(event: SessionEvent): void {
    const timed = { at: (this.options.clock ?? Date).now(), event };
    report(() => this.options.onEvent?.(event));
    for (const listener of [...this.eventListeners]) report(() => listener(timed));
  }
}

/**
 * A SessionEngine made outside React: share it with non-React code, or hand it to `<AuthProvider engine={engine}>`.
 */
export function createSessionEngine(options: SessionEngineOptions): SessionEngine {
  return new SessionEngine(options);
}
