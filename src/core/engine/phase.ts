import type { TokenReason } from '../auth.js';
import type { ApiRtcAuthError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import type { SessionEngineOptions } from '../options.js';
import type { SessionLike } from '../sdk.js';
import type { TimerName } from '../timers.js';
import type { UserAgentHandle } from '../user-agent.js';

/** A registered session and what the engine knows of it. */
export interface Live {
  handle: UserAgentHandle;
  session: SessionLike;
  /** JWT mode: when its token expires, on the local clock. */
  expiresAt: number | undefined;
  /** The SDK's last word on the socket: false from `disconnected`/`retry`/`error` until `connected`. */
  connected: boolean;
}

/** How a stretch of failures has gone so far. A success, `unregister()` or a new configuration starts a new one. */
export interface Retries {
  /** Failures that may pass, in a row: the backoff's exponent. */
  failures: number;
  /** The one fresh token after the cloud refused a token has been spent. */
  refused: boolean;
}

export const NO_RETRIES: Retries = Object.freeze({ failures: 0, refused: false });

/**
 * Where the engine is: one value, each phase holding only what it needs. See transition.ts for how inputs
 * move it and docs/engine.md for the diagram.
 */
export type Phase =
  /** Not registered, nothing wanted: before start, after `unregister()`. */
  | { kind: 'idle' }
  /**
   * One registration attempt in flight (SDK, token, `register()`). `kept` is the live session a renewal keeps
   * until it ends it; `handle` the UserAgent the attempt registers (known once it has one); `error` the
   * failure being retried.
   */
  | {
      kind: 'attempt';
      id: number;
      reason: TokenReason;
      /** A renewal: it began with a session (published as `renewing`, also once that session has ended). */
      renewing: boolean;
      retries: Retries;
      error: ApiRtcAuthError | undefined;
      kept: Live | undefined;
      handle: UserAgentHandle | undefined;
    }
  /**
   * Registered. `renewAt` is the next renewal (or deferral check) and `deadline` the latest a deferred renewal
   * may wait. With `error` set, a renewal failed and this session was kept: `renewAt` is then that renewal's
   * retry, or undefined (won't be retried, or waiting to be online). `watch` is set while the watchdog waits
   * for the SDK to reconnect: the token reason of the registration that follows if it does not.
   */
  | {
      kind: 'live';
      live: Live;
      retries: Retries;
      error: ApiRtcAuthError | undefined;
      renewAt: number | undefined;
      deadline: number | undefined;
      watch: TokenReason | undefined;
    }
  /** No session; the next attempt at `retryAt`, or when back online (`retryAt` undefined). */
  | { kind: 'backoff'; retries: Retries; error: ApiRtcAuthError; retryAt: number | undefined }
  /** Stopped on a failure that won't pass, with no session: only `register()` (or `start()`) goes again. */
  | { kind: 'halted'; error: ApiRtcAuthError };

export type PhaseKind = Phase['kind'];

/** What moves the engine. */
export type Input =
  | { type: 'start' }
  | { type: 'register' }
  | { type: 'renew' }
  | { type: 'unregister'; why: string }
  /** New options: only a literal `token` changed (`token`), or anything else that decides the session (`session`). */
  | { type: 'config'; change: 'token' | 'session' }
  /** The attempt ended the kept session to register its UserAgent again (a renewal). */
  | { type: 'ended'; id: number }
  /** The attempt is about to register on this UserAgent. */
  | { type: 'took'; id: number; handle: UserAgentHandle }
  | { type: 'registered'; id: number; handle: UserAgentHandle; session: SessionLike; expiresAt: number | undefined }
  | { type: 'failed'; id: number; error: ApiRtcAuthError }
  /** A timer is due; `conversations`: the live session's active conversations, when renewals defer for them. */
  | { type: 'due'; timer: TimerName; conversations: number }
  /** The SDK's `ccsConnectionStatus` on a UserAgent; `gaveUp`: its socket will not reconnect by itself (refused). */
  | { type: 'socket'; handle: UserAgentHandle; status: string; gaveUp: boolean };

/** What the runner does for a transition. */
export type Effect =
  | { type: 'attempt'; id: number; reason: TokenReason; reuse: UserAgentHandle | undefined }
  | { type: 'abort'; why: string }
  | { type: 'release'; handle: UserAgentHandle; why: string }
  | { type: 'at'; timer: TimerName; at: number }
  | { type: 'after'; timer: TimerName; ms: number }
  | { type: 'when-online'; timer: TimerName }
  | { type: 'disarm'; timer: TimerName }
  | { type: 'emit'; event: SessionEvent }
  /** Resolve every waiting action with the session. */
  | { type: 'resolve'; session: SessionLike }
  /** Resolve the waiting `register()` calls with a session a failed renewal kept (`renew()` calls wait on). */
  | { type: 'resolve-kept'; session: SessionLike }
  /** Reject every waiting action. */
  | { type: 'reject'; error: ApiRtcAuthError };

/** What transition() reads besides the phase and the input. */
export interface Context {
  now: number;
  /** The browser says it is offline (and there is a window to say when it is back). */
  offline: boolean;
  options: SessionEngineOptions;
  random: () => number;
  /** The id the next attempt takes. */
  nextId: number;
}

export interface Step {
  phase: Phase;
  effects: Effect[];
}

/** Which timers each phase may hold: the runner disarms the others whenever the phase changes. */
export const TIMERS_OF: Record<PhaseKind, readonly TimerName[]> = {
  idle: [],
  attempt: [],
  live: ['next', 'watchdog'],
  backoff: ['next'],
  halted: [],
};

/** Every UserAgent a phase holds. */
export function handlesOf(phase: Phase): UserAgentHandle[] {
  if (phase.kind === 'live') return [phase.live.handle];
  if (phase.kind !== 'attempt') return [];
  return [phase.kept?.handle, phase.handle].filter((handle, i, all): handle is UserAgentHandle => handle !== undefined && all.indexOf(handle) === i);
}
