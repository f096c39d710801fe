'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiRtcAuthError } from '../core/errors.js';
import type { SessionEngineOptions } from '../core/options.js';
import { SessionEngine } from '../core/engine/store.js';
import { AuthContext } from './AuthContext.js';

/** Either the engine's options as props, or an engine made with `createSessionEngine()`; never both. */
export type AuthProviderProps = { children?: ReactNode } & (
  | (SessionEngineOptions & { engine?: undefined })
  // The engine's options stay typed here so that inline callbacks keep their types; with `engine` they are an error.
  | ({ engine: SessionEngine; auth?: undefined } & Partial<Omit<SessionEngineOptions, 'auth'>>)
);

/**
 * Registers one ApiRTC UserAgent for everything below it and keeps its Session alive. Props are compared by
 * value (inline object literals are fine) and callbacks are read when called, so re-renders never
 * re-register; a real change to auth, cloudUrl or registerOptions does. Given an `engine` instead, the provider
 * shares that one (made outside React with `createSessionEngine()`). Either way it starts the engine on mount
 * and stops it on unmount.
 *
 * @example
 * ```tsx
 * <AuthProvider auth={{ mode: 'jwt', apiKey, userId, tokenUrl: '/api/apirtc-token' }}>
 *   <App />
 * </AuthProvider>
 * ```
 */
export function AuthProvider({ children, engine: given, ...options }: AuthProviderProps) {
  if (given && Object.keys(options).length > 0) {
    throw new ApiRtcAuthError('INVALID_CONFIG', `<AuthProvider> takes either engine or the engine's options, not both (got engine and ${Object.keys(options).join(', ')})`, {
      field: 'engine',
    });
  }
  const [own] = useState(() => (given ? undefined : new SessionEngine(options as SessionEngineOptions)));
  const engine = given ?? (own as SessionEngine);
  useEffect(() => {
    if (!given) engine.setOptions(options as SessionEngineOptions);
  });
  useEffect(() => {
    engine.start();
    return () => engine.stop();
  }, [engine]);
  return <AuthContext.Provider value={engine}>{children}</AuthContext.Provider>;
}
