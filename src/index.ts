'use client';
// Browser entry. Nothing here imports @apirtc/apirtc statically: the engine loads it on first register.

export { AuthProvider, type AuthProviderProps } from './react/AuthProvider.js';
export { useApiRtcSession, useSessionEngine } from './react/useApiRtcSession.js';
export { AuthContext } from './react/AuthContext.js';

export { SessionEngine, createSessionEngine } from './core/engine/store.js';
export {
  DEFAULT_CLOUD_URL,
  FAST_FAIL_REGISTER_OPTIONS,
  type RegisterOptions,
  type SessionConfig,
  type SessionEngineOptions,
} from './core/options.js';
export type { RetryOptions } from './core/backoff.js';
export type {
  ErrorState,
  IdleState,
  LiveState,
  RegisteringState,
  RenewingState,
  RetryingState,
  SessionActions,
  SessionSnapshot,
  SessionState,
  SessionStatus,
} from './core/state.js';
export type { SessionEvent } from './core/events.js';
export type {
  ApiKeyAuth,
  AuthConfig,
  AuthMode,
  GetToken,
  GetTokenContext,
  JwtAuth,
  JwtGetTokenAuth,
  JwtLiteralAuth,
  JwtTokenUrlAuth,
  LoginAuth,
  TokenReason,
} from './core/auth.js';
export type { RenewalOptions } from './core/renewal.js';
export type { TokenEndpointResponse } from './core/token-source.js';
export { ApiRtcAuthError, isApiRtcAuthError, type ApiRtcAuthErrorCode } from './core/errors.js';
export type { Clock } from './core/clock.js';
export type { Environment, EventSourceLike } from './core/environment.js';
export type { ApiRtcSdk, LoadSdk, Session, SessionLike, UserAgent, UserAgentLike } from './core/sdk.js';
