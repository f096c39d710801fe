import type { AuthMode, TokenReason } from './credentials.js';
import type { ApiRtcAuthError } from './errors.js';
import type { Session, UserAgent } from './sdk.js';

/**
 * | status         | session | what is going on                                                        |
 * | -------------- | ------- | ----------------------------------------------------------------------- |
 * | `idle`         | —       | not registered and not trying (before start, after unregister())        |
 * | `registering`  | —       | loading the SDK, getting a token, register() in flight                   |
 * | `registered`   | Session | live                                                                    |
 * | `reconnecting` | Session | the SDK lost its socket and is reconnecting by itself                    |
 * | `renewing`     | Session, then — | fresh token, unregister(), register() (*)                     |
 * | `retrying`     | —       | a failure that may pass; the next attempt is at `retryAt` (or `online`)  |
 * | `error`        | —       | stopped on a failure that won't pass; `register()` tries again           |
 *
 * (*) A renewal that fails before the old session ended keeps it: status `registered` (or `reconnecting`)
 * with `error` set, for as long as its socket lasts. See the README's "Failures and recovery".
 */
export type SessionStatus = 'idle' | 'registering' | 'registered' | 'reconnecting' | 'renewing' | 'retrying' | 'error';

/** The session's data, as the store publishes it (see the status table above). */
export interface SessionState {
  status: SessionStatus;
  /** The live ApiRTC Session: pass it to @apirtc/react-lib hooks. */
  session: Session | undefined;
  userAgent: UserAgent | undefined;
  /** The last failure; cleared once registered again or unregistered. */
  error: ApiRtcAuthError | undefined;
  /** JWT mode: when the current token expires, in ms since epoch on the local clock. */
  expiresAt: number | undefined;
  /** JWT mode: when the engine will re-register with a fresh token. Undefined when it won't (literal token, no `exp`). */
  renewAt: number | undefined;
  /** When status is `retrying`: the next attempt, or undefined while waiting to be back online. */
  retryAt: number | undefined;
}

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

export const initialState: SessionState = {
  status: 'idle',
  session: undefined,
  userAgent: undefined,
  error: undefined,
  expiresAt: undefined,
  renewAt: undefined,
  retryAt: undefined,
};

/** What `onEvent` receives: enough to log and debug, never a password or a token. */
export type SessionEvent =
  | { type: 'status'; status: SessionStatus }
  | { type: 'token'; reason: TokenReason; expiresAt: number | undefined; jti: string | undefined }
  | { type: 'registered'; mode: AuthMode; sessionId: string }
  | { type: 'unregistered'; sessionId: string }
  | { type: 'stale-session-unregistered'; sessionId: string }
  | { type: 'renewal-scheduled'; renewAt: number; expiresAt: number }
  | { type: 'renewal-deferred'; until: number; conversations: number }
  | { type: 'connection'; status: string }
  | { type: 'user-agent-released'; reason: string }
  | { type: 'retry-scheduled'; attempt: number; retryAt: number | undefined; error: ApiRtcAuthError }
  | { type: 'error'; error: ApiRtcAuthError };
