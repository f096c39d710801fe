/**
 * A stand-in for @apirtc/apirtc in unit tests of the engine. It follows what
 * docs/sdk-behaviour.md and test/sdk/ record of the real SDK: the uri prefix decides the mode,
 * register() on a registered UserAgent rejects with code 6, login without password with code 1,
 * a bad prefix with code 7; unregister() ends the session; the Session id is `register({id})`.
 * Tests script each register() (resolve, reject, hang) and read which sessions are live.
 */
import type { ApiRtcSdk, ConversationLike, SessionLike, UserAgentLike } from '../../src/core/sdk.js';

type Listener = (payload: unknown) => void;

export type RegisterOutcome =
  | { kind: 'ok' }
  | { kind: 'reject'; error: unknown }
  | { kind: 'hang' }
  /** register() throws instead of returning a promise. */
  | { kind: 'throw'; error: unknown }
  /** The socket.io script can't load: the SDK emits externalJsLoadingStatus error and register() never settles. */
  | { kind: 'script-error' }
  /** Settles when the test says so. */
  | { kind: 'manual'; release?: (outcome: 'ok' | { error: unknown }) => void };

export interface RegisterCall {
  ua: FakeUserAgent;
  options: Record<string, unknown>;
}

let sessionCounter = 100000;

export class FakeSession implements SessionLike {
  conversations: Record<string, ConversationLike> = {};
  live = true;
  constructor(readonly id: string, readonly ua: FakeUserAgent, readonly options: Record<string, unknown>) {}
  getId(): string {
    return this.id;
  }
  getActiveConversations(): Record<string, ConversationLike> {
    return this.conversations;
  }
}

export class FakeUserAgent implements UserAgentLike {
  private readonly listeners = new Map<string, Set<Listener>>();
  session: FakeSession | undefined;
  unregisterCalls = 0;
  constructor(readonly sdk: FakeSdk, readonly uri: string) {}

  isRegistered(): boolean {
    return this.session !== undefined;
  }

  register(options: Record<string, unknown> = {}): Promise<SessionLike> {
    this.sdk.registerCalls.push({ ua: this, options });
    if (this.session) return Promise.reject({ code: 6, error: new Error('register() - Session already ON') });
    if (!/^(apiKey|apzkey|apirtc|apizee):/.test(this.uri)) return Promise.reject({ code: 7, error: new Error('invalid uri') });
    if (this.uri.startsWith('apirtc:') && !options.password) return Promise.reject({ code: 1, error: new Error('password missing') });
    const outcome = this.sdk.outcomes.shift() ?? { kind: 'ok' };
    const connect = () => {
      const id = typeof options.id === 'string' ? options.id : String(sessionCounter++);
      const refusal = this.sdk.refuse?.(options);
      if (refusal) throw { code: 5, error: new Error(`Channel Connect Error : Error: access token failure: ${refusal}`) };
      this.session = new FakeSession(id, this, options);
      this.sdk.sessions.push(this.session);
      return this.session;
    };
    switch (outcome.kind) {
      case 'throw':
        throw outcome.error;
      case 'ok':
        return Promise.resolve().then(connect);
      case 'reject':
        return Promise.reject(outcome.error);
      case 'hang':
        return new Promise(() => {});
      case 'script-error':
        queueMicrotask(() => this.emit('externalJsLoadingStatus', { extjs: 'sio', status: 'error' }));
        return new Promise(() => {});
      case 'manual':
        return new Promise((resolve, reject) => {
          outcome.release = (result) => {
            if (result === 'ok') {
              try {
                resolve(connect());
              } catch (error) {
                reject(error);
              }
            } else reject(result.error);
          };
        });
    }
  }

  unregister(): Promise<void> {
    this.unregisterCalls += 1;
    const behaviour = this.sdk.unregisterBehaviour;
    if (behaviour === 'hang') return new Promise(() => {});
    const end = () => {
      if (this.session) this.session.live = false;
      this.session = undefined;
      return behaviour === 'reject' ? Promise.reject({ code: 0, error: new Error('unregister failed') }) : Promise.resolve();
    };
    return this.sdk.unregisterGate ? this.sdk.unregisterGate.then(end) : end();
  }

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  emit(event: string, payload: unknown): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(payload);
  }

  /** A network drop: the SDK reports it and keeps retrying. */
  drop(): void {
    this.emit('ccsConnectionStatus', { status: 'disconnected' });
    this.emit('ccsConnectionStatus', { status: 'retry' });
  }
}

export class FakeSdk {
  readonly userAgents: FakeUserAgent[] = [];
  readonly sessions: FakeSession[] = [];
  readonly registerCalls: RegisterCall[] = [];
  /** Consumed one per register() call; 'ok' when empty. */
  outcomes: RegisterOutcome[] = [];
  unregisterBehaviour: 'ok' | 'hang' | 'reject' = 'ok';
  /** When set, unregister() ends the session only once this resolves (a slow network). */
  unregisterGate: Promise<void> | undefined;
  /** Returns a refusal reason to refuse the handshake (as the cloud does for a bad token). */
  refuse: ((options: Record<string, unknown>) => string | undefined) | undefined;
  loads = 0;

  readonly module: ApiRtcSdk;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const sdk = this;
    this.module = {
      UserAgent: class extends FakeUserAgent {
        constructor({ uri }: { uri: string }) {
          super(sdk, uri);
          sdk.userAgents.push(this);
        }
      },
    };
  }

  load = async (): Promise<ApiRtcSdk> => {
    this.loads += 1;
    return this.module;
  };

  /** The next register() settles only when the test calls `settle`. */
  manual(): { settle: (result: 'ok' | { error: unknown }) => void } {
    const outcome: RegisterOutcome = { kind: 'manual' };
    this.outcomes.push(outcome);
    return {
      settle: (result) => {
        if (outcome.kind !== 'manual' || !outcome.release) throw new Error('that register() was not called yet');
        outcome.release(result);
      },
    };
  }

  get liveSessions(): FakeSession[] {
    return this.sessions.filter((session) => session.live);
  }

  get lastUserAgent(): FakeUserAgent {
    const ua = this.userAgents.at(-1);
    if (!ua) throw new Error('no UserAgent was created');
    return ua;
  }

  /** Listeners still attached to any UserAgent. */
  get listenerCount(): number {
    return this.userAgents.reduce((sum, ua) => sum + ua.listenerCount(), 0);
  }
}
