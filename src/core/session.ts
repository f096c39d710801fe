import type { DriverHost, SessionDriver } from './driver.js';
import { ApiRtcAuthError } from './errors.js';
import type { SessionEngineOptions } from './options.js';
import { loadApiRtcSdk, type Session } from './sdk.js';
import { initialState, type SessionEvent, type SessionSnapshot, type SessionState } from './state.js';

export * from './options.js';

const noop = () => {};

/**
 * One UserAgent and its Session, kept registered: the framework-agnostic core behind AuthProvider.
 * A vanilla external store (`subscribe` / `getSnapshot`) plus the actions `register`, `unregister`,
 * `renew`. This class is only the store: the logic (the driver) is loaded on first use, like the SDK,
 * so nothing of it weighs on the first chunk or runs during server-side rendering.
 */
export class SessionEngine {
  private state: SessionSnapshot;
  /** The state before anything happened: what a server rendered, and what hydration must see again. */
  private readonly initial: SessionSnapshot;
  private readonly listeners = new Set<() => void>();
  private options: SessionEngineOptions;
  private driver: Promise<SessionDriver> | undefined;
  private started = false;

  constructor(options: SessionEngineOptions) {
    this.options = options;
    this.state = this.initial = { ...initialState, register: this.register, unregister: this.unregister, renew: this.renew };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.state;

  /** For useSyncExternalStore's server snapshot: always the initial state (status `idle`), as the server rendered it. */
  getServerSnapshot = (): SessionSnapshot => this.initial;

  /** Mount: registers unless `autoRegister` is false. Safe to call again after stop(). */
  start(): void {
    this.started = true;
    if (this.options.autoRegister === false) return;
    this.registering();
    this.use((driver) => driver.start()).catch(noop);
  }

  /** Unmount: ends the session, cancels everything in flight, leaves no timer or listener. */
  stop(): void {
    this.started = false;
    if (this.driver) this.use((driver) => driver.stop()).catch(noop);
  }

  /**
   * New props. Compared by value: an inline object literal with the same content changes nothing.
   * A new literal `token` alone renews on the same UserAgent; anything else that decides the Session re-registers.
   */
  setOptions(next: SessionEngineOptions): void {
    const turnedOn = this.options.autoRegister === false && next.autoRegister !== false;
    this.options = next;
    if (this.driver) this.use((driver) => driver.sync()).catch(noop);
    // autoRegister turned on while mounted: register as a mount would. (Turned off, it leaves the session alone.)
    if (turnedOn && this.started) this.start();
  }

  /** Registers (if not already), resolving with the Session; rejects with a failure that won't pass. */
  register = (): Promise<Session> => {
    this.registering();
    return this.use((driver) => driver.register());
  };

  /** Re-registers now with a fresh token (or registers, if not registered). */
  renew = (): Promise<Session> => {
    this.registering();
    return this.use((driver) => driver.renew());
  };

  /** Ends the session through `ua.unregister()` and stops every retry and renewal. */
  unregister = (): Promise<void> => {
    if (this.driver) return this.use((driver) => driver.unregister());
    this.update({ ...initialState }); // nothing was loaded, nothing to end (e.g. after the engine's chunk failed to load)
    return Promise.resolve();
  };

  /** The first load of the driver takes a moment (a chunk to fetch): say so at once rather than stay idle. */
  private registering(): void {
    if (this.state.status === 'idle' || this.state.status === 'error') this.update({ status: 'registering' });
  }

  /** Runs `action` on the driver, loading it first; calls keep their order while it loads. */
  private use<T>(action: (driver: SessionDriver) => T | Promise<T>): Promise<T> {
    // The SDK's chunk starts loading with the driver's, not after it: one round trip less before register().
    if (!this.driver && !this.options.loadSdk) loadApiRtcSdk().catch(noop);
    this.driver ??= import('./driver.js').then(
      ({ SessionDriver }) => new SessionDriver(this.host),
      (error: unknown) => {
        this.driver = undefined; // a failed chunk load may succeed next time
        const failure = new ApiRtcAuthError('SDK_LOAD_FAILED', 'could not load the session engine', { retryable: true, cause: error });
        this.emit({ type: 'error', error: failure });
        this.update({ status: 'error', error: failure });
        throw failure;
      },
    );
    return this.driver.then(action);
  }

  private readonly host: DriverHost = {
    getOptions: () => this.options,
    getSnapshot: () => this.state,
    update: (patch) => this.update(patch),
    emit: (event) => this.emit(event),
  };

  private update(patch: Partial<SessionState>): void {
    const next = { ...this.state, ...patch };
    const keys = Object.keys(patch) as (keyof SessionState)[];
    if (keys.every((key) => Object.is(next[key], this.state[key]))) return;
    const statusChanged = next.status !== this.state.status;
    this.state = next;
    if (statusChanged) this.emit({ type: 'status', status: next.status });
    for (const listener of [...this.listeners]) listener();
  }

  private emit(event: SessionEvent): void {
    const onEvent = this.options.onEvent;
    if (!onEvent) return;
    try {
      onEvent(event);
    } catch (error) {
      // A failing logger must not break the session; report it without swallowing it.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/** A SessionEngine for use without React (the provider creates its own). */
export function createSessionEngine(options: SessionEngineOptions): SessionEngine {
  return new SessionEngine(options);
}
