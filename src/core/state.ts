import type { ApiRtcAuthError } from './errors.js';
import type { Session, UserAgent } from './sdk.js';

/**
 * Where the session stands, as the README's status table says (one row per status). Narrow on it:
 * `if (state.status === 'registered') state.session.getId()` needs no `!`.
 */
export type SessionStatus = 'idle' | 'registering' | 'registered' | 'reconnecting' | 'renewing' | 'retrying' | 'error';

/** Fields every status has; each status below says which of them it fills. */
interface StateFields {
  status: SessionStatus;
  /** The live ApiRTC Session: pass it to @apirtc/react-lib hooks. */
  session: Session | undefined;
  /** The UserAgent that holds `session`. */
  userAgent: UserAgent | undefined;
  /** The last failure; cleared once registered again or unregistered. */
  error: ApiRtcAuthError | undefined;
  /** JWT mode: when the current token expires, in ms since epoch on the local clock. */
  expiresAt: number | undefined;
  /** JWT mode: when the engine will re-register with a fresh token. Undefined when it won't (literal token, no `exp`). */
  renewAt: number | undefined;
  /** Status `retrying`: the next attempt, or undefined while waiting to be back online. */
  retryAt: number | undefined;
}

/** No session, nothing scheduled: before start (with `autoRegister: false`) and after `unregister()`. */
export interface IdleState extends StateFields {
  status: 'idle';
  session: undefined;
  userAgent: undefined;
  error: undefined;
  expiresAt: undefined;
  renewAt: undefined;
  retryAt: undefined;
}

/** Loading the SDK, getting a token, `register()` in flight. `error` is the failure being retried, if any. */
export interface RegisteringState extends StateFields {
  status: 'registering';
  session: undefined;
  userAgent: undefined;
  expiresAt: undefined;
  renewAt: undefined;
  retryAt: undefined;
}

/**
 * Live (`registered`), or live while the SDK brings its socket back (`reconnecting`). `error` is set when a
 * renewal failed and this session was kept; `renewAt` is then its retry (or undefined if it won't be retried).
 */
export interface LiveState extends StateFields {
  status: 'registered' | 'reconnecting';
  session: Session;
  userAgent: UserAgent;
  retryAt: undefined;
}

/** Fresh token, `ua.unregister()`, `register()`: the old session until it has ended, then none. */
export interface RenewingState extends StateFields {
  status: 'renewing';
  renewAt: undefined;
  retryAt: undefined;
}

/** A failure that may pass: the next attempt is at `retryAt`, or on `online` (then `retryAt` is undefined). */
export interface RetryingState extends StateFields {
  status: 'retrying';
  session: undefined;
  userAgent: undefined;
  error: ApiRtcAuthError;
  expiresAt: undefined;
  renewAt: undefined;
}

/** Stopped on a failure that won't pass; `register()` tries again. */
export interface ErrorState extends StateFields {
  status: 'error';
  session: undefined;
  userAgent: undefined;
  error: ApiRtcAuthError;
  expiresAt: undefined;
  renewAt: undefined;
  retryAt: undefined;
}

/** The session's data, as the store publishes it: a union that narrows on `status`. */
export type SessionState = IdleState | RegisteringState | LiveState | RenewingState | RetryingState | ErrorState;

/** The actions, bound: safe to pass around and to call from event handlers. They reject with the error, never swallow it. */
export interface SessionActions {
  /** Registers if not registered; resolves with the Session, rejects with a failure that won't pass (or ABORTED). */
  register(): Promise<Session>;
  /** Ends the session through `ua.unregister()`; stops retries and renewals. */
  unregister(): Promise<void>;
  /** Re-registers now with a fresh token (JWT mode) or a fresh Session; registers if not registered. */
  renew(): Promise<Session>;
}

/** What `useApiRtcSession()` returns and `engine.getSnapshot()` gives: one immutable object per change. */
export type SessionSnapshot = SessionState & SessionActions;
