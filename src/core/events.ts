import type { AuthMode, TokenReason } from './auth.js';
import type { ApiRtcAuthError } from './errors.js';
import type { SessionStatus } from './state.js';

/** What `onEvent` receives: enough to log and debug, never a password or a token. */
export type SessionEvent =
  | { type: 'status'; status: SessionStatus }
  | { type: 'token'; reason: TokenReason; expiresAt: number | undefined; jti: string | undefined }
  | { type: 'registered'; mode: AuthMode; sessionId: string }
  | { type: 'unregistered'; sessionId: string }
  | { type: 'stale-session-unregistered'; sessionId: string }
  | { type: 'renewal-scheduled'; renewAt: number; expiresAt: number }
  | { type: 'renewal-deferred'; until: number; conversations: number }
  /** A new session found conversations an earlier session of the page had joined, and left them: join again to be back in. */
  | { type: 'conversations-left'; names: string[] }
  | { type: 'connection'; status: string }
  | { type: 'user-agent-released'; reason: string }
  | { type: 'retry-scheduled'; attempt: number; retryAt: number | undefined; error: ApiRtcAuthError }
  | { type: 'error'; error: ApiRtcAuthError };
