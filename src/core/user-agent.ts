import type { Clock } from './clock.js';
import { aborted, ApiRtcAuthError } from './errors.js';
import type { SessionEvent } from './events.js';
import type { PageLock } from './page-lock.js';
import { forgetChannelId, pageOf, resetPage, socketClosed, socketGaveUp, type Page } from './page-layer.js';
import type { ApiRtcSdk, SessionLike, UserAgentLike } from './sdk.js';
import { fromSdkError } from './sdk-errors.js';

/** Where one UserAgent is in its life. `ending` goes back to `fresh` when a renewal registers it again. */
export type UserAgentPhase = 'fresh' | 'registering' | 'registered' | 'ending' | 'gone';

export interface UserAgentHandleOptions {
  clock: Clock;
  lock: PageLock;
  emit(event: SessionEvent): void;
  /** The SDK's `ccsConnectionStatus`, until the handle is released; `gaveUp`: the socket will not come back by itself. */
  onSocket(handle: UserAgentHandle, status: string, gaveUp: boolean): void;
  /** Bounds `ua.unregister()`: the SDK can hang on it as on register(). */
  unregisterTimeoutMs(): number;
}

const noop = () => {};
/** How long an unregister waits for the cloud to see the socket close before resetting the page's socket layer. */
const SOCKET_CLOSE_MS = 2_000;


/**
 * One UserAgent's whole life, and the only code that calls its register() and unregister(). It never holds two
 * sessions, never unregisters twice at once, ends a session that arrives for nobody, and holds the page lock
 * with every piece of work that ends a session, so that the next registration of the page can wait for it.
 */
export class UserAgentHandle {
  readonly ua: UserAgentLike;
  #phase: UserAgentPhase = 'fresh';
  #released = false;
  /** The registered session's id, until it is unregistered (for the `unregistered` event). */
  #sessionId: string | undefined;
  /** The `ua.unregister()` in flight or done. */
  #ending: Promise<void> | undefined;
  /** Work that must settle before this UserAgent is gone: an unregister, a register() still in flight. */
  readonly #work = new Set<Promise<unknown>>();
  #onScriptError: (() => void) | undefined;
  readonly #detach: () => void;
  readonly #options: UserAgentHandleOptions;
  readonly #page: Page;
  #gone!: () => void;
  /** Resolves once the handle is released and nothing of it is left: its session ended, or given up on. */
  readonly settled = new Promise<void>((resolve) => (this.#gone = resolve));

  constructor(sdk: ApiRtcSdk, readonly uri: string, options: UserAgentHandleOptions) {
    this.#options = options;
    this.#page = pageOf(sdk);
    const ua = (this.ua = new sdk.UserAgent({ uri }));
    const onConnection = (payload: unknown) => {
      const status = String((payload as { status?: unknown } | null)?.status ?? '');
      options.onSocket(this, status, status === 'error' && socketGaveUp(this.#page));
    };
    const onScript = (payload: unknown) => {
      if ((payload as { status?: unknown } | null)?.status === 'error') this.#onScriptError?.();
    };
    ua.on('ccsConnectionStatus', onConnection);
    ua.on('externalJsLoadingStatus', onScript);
    this.#detach = () => {
      ua.removeListener('ccsConnectionStatus', onConnection);
      ua.removeListener('externalJsLoadingStatus', onScript);
    };
  }

  get phase(): UserAgentPhase {
    return this.#phase;
  }

  /**
   * `ua.register()` with a timeout of its own (the SDK's can hang forever: the socket script unreachable) and
   * an abort. A UserAgent whose register() failed, hung or was aborted is released: it is not trusted again.
   * Aborted or timed out, a register() still in flight keeps the page locked until it settles (at most
   * `timeoutMs`), and the session it may bring is unregistered at once.
   */
  register(parameters: object, { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number }): Promise<SessionLike> {
    if (this.#released || signal.aborted || this.#phase !== 'fresh') return Promise.reject(aborted('superseded before register()'));
    this.#phase = 'registering';
    const { clock } = this.#options;
    let over!: (ended?: Promise<unknown>) => void;
    this.#hold(new Promise((resolve) => (over = resolve)));
    return new Promise((resolve, reject) => {
      let answered = false;
      const answer = (error: ApiRtcAuthError | undefined, session?: SessionLike) => {
        if (answered) return;
        answered = true;
        signal.removeEventListener('abort', onAbort);
        this.#onScriptError = undefined;
        if (!error) return resolve(session as SessionLike);
        this.release(error.message).catch(noop);
        reject(error);
      };
      const fail = (error: ApiRtcAuthError) => {
        clock.clearTimeout(timer);
        // The SDK's socket of a failed or hung register() keeps trying, and would come up as a session nobody owns.
        resetPage(this.#page);
        over();
        answer(error);
      };
      const onAbort = () => answer(aborted('superseded while register() was in flight'));
      const timer = clock.setTimeout(
        () => fail(new ApiRtcAuthError('REGISTER_TIMEOUT', `register() did not settle within ${timeoutMs} ms`, { retryable: true })),
        timeoutMs,
      );
      signal.addEventListener('abort', onAbort);
      this.#onScriptError = () => fail(new ApiRtcAuthError('REGISTER_FAILED', 'the SDK could not load the socket.io client from the cloud', { retryable: true }));
      // Through a promise, so that a register() that throws synchronously still settles this attempt.
      Promise.resolve()
        .then(() => this.ua.register(parameters))
        .then(
          (session) => {
            clock.clearTimeout(timer);
            this.#phase = 'registered';
            if (answered || this.#released) {
              // Nobody's session: end it at once. It never was `registered`, so it gets no `unregistered` either.
              this.#options.emit({ type: 'stale-session-unregistered', sessionId: session.getId() });
              over(this.#unregister().catch(noop));
            } else {
              this.#sessionId = session.getId();
              over();
              answer(undefined, session);
            }
          },
          (error: unknown) => {
            if (this.#phase === 'registering') this.#phase = 'fresh';
            fail(fromSdkError(error));
          },
        );
    });
  }

  /** A renewal's first half: ends the session and keeps the UserAgent. Resolves false when it can't be used again. */
  async end(): Promise<boolean> {
    try {
      await this.#unregister();
    } catch {
      this.release('unregister() failed').catch(noop);
      return false;
    }
    if (this.#released) return false;
    this.#ending = undefined;
    this.#phase = 'fresh';
    return true;
  }

  /**
   * No longer ours: stop listening and end its session, now or, if its register() is still in flight, as soon
   * as that settles. Idempotent; rejects with UNREGISTER_FAILED when the SDK failed to unregister.
   */
  release(reason: string): Promise<void> {
    if (!this.#released) {
      this.#released = true;
      this.#detach();
      this.#options.emit({ type: 'user-agent-released', reason });
      // A UserAgent without a session (a wrong password) is not unregistered: the SDK would log an error.
      if (this.#phase !== 'registering' && !this.#ending && this.ua.isRegistered()) this.#unregister().catch(noop);
      this.#settleIfDone();
    }
    return this.#ending ?? Promise.resolve();
  }

  /** A session registered for an attempt that was superseded meanwhile: unregister it at once. */
  discard(session: SessionLike): void {
    this.#options.emit({ type: 'stale-session-unregistered', sessionId: session.getId() });
    this.#sessionId = undefined;
    this.release('stale registration').catch(noop);
  }

  /**
   * `ua.unregister()` with a timeout, one at a time; says `unregistered` for the session it ended. It resolves
   * once the cloud has seen the socket close (the SDK's unregister() resolves before), so that the next
   * registration of the page never overlaps this one.
   */
  #unregister(): Promise<void> {
    this.#phase = 'ending';
    const end = async () => {
      const closed = socketClosed(this.#page, this.#options.clock, SOCKET_CLOSE_MS); // the socket, before unregister() drops it
      try {
        await this.ua.unregister();
      } catch (error) {
        // Login mode burns the cloud token first; when that fails, the SDK leaves the socket open: close it anyway.
        if (!this.uri.startsWith('apirtc:')) throw error;
        await this.ua.unregister({ invalidateUserToken: false, unregister: true });
        forgetChannelId();
      }
      if (!(await closed)) resetPage(this.#page);
    };
    return (this.#ending ??= this.#hold(this.#bounded(end)).then(() => {
      if (this.#sessionId !== undefined) this.#options.emit({ type: 'unregistered', sessionId: this.#sessionId });
      this.#sessionId = undefined;
    }));
  }

  #bounded(call: () => Promise<void>): Promise<void> {
    const { clock } = this.#options;
    const timeoutMs = this.#options.unregisterTimeoutMs();
    return new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new ApiRtcAuthError('UNREGISTER_FAILED', `unregister() did not settle within ${timeoutMs} ms`)), timeoutMs);
      Promise.resolve()
        .then(call)
        .then(resolve, (error: unknown) => reject(new ApiRtcAuthError('UNREGISTER_FAILED', 'unregister() failed', { cause: error })))
        .finally(() => clock.clearTimeout(timer));
    });
  }

  /** Work that ends a session: the page waits for it, and so does `settled`. */
  #hold<T>(work: Promise<T>): Promise<T> {
    this.#work.add(work);
    const done = () => {
      this.#work.delete(work);
      this.#settleIfDone();
    };
    work.then(done, done);
    return this.#options.lock.hold(work);
  }

  #settleIfDone(): void {
    if (!this.#released || this.#work.size > 0) return;
    this.#phase = 'gone';
    this.#gone();
  }
}
