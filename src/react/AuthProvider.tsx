'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { SessionEngine, type SessionEngineOptions } from '../core/session.js';
import { AuthContext } from './AuthContext.js';

/**
 * The engine's options as props, plus the children that read the session. Each option is described on
 * `SessionEngineOptions`, and all of them in one table in the package's docs/api.md.
 */
export interface AuthProviderProps extends SessionEngineOptions {
  children?: ReactNode;
}

/**
 * Registers one ApiRTC UserAgent for everything below it and keeps its Session alive.
 *
 * @remarks
 * Props are compared by value (inline object literals are fine) and callbacks are read when
 * called, so re-renders never re-register; a real change to `auth`, `cloudUrl` or `registerOptions` does.
 * It registers on mount unless `autoRegister` is false, and ends the session on unmount. Render one
 * provider near the root: the SDK allows one UserAgent per page. Server rendering loads no SDK and
 * renders the `idle` state.
 *
 * @example Anonymous, against the local cloud (`npx apirtc-local-cloud`)
 * ```tsx
 * <AuthProvider auth={{ mode: 'apiKey', apiKey: 'local-dev-api-key' }} cloudUrl="http://127.0.0.1:3010">
 *   <App />
 * </AuthProvider>
 * ```
 *
 * @example JWT from your token endpoint, renewed before it expires
 * ```tsx
 * <AuthProvider auth={{ mode: 'jwt', apiKey, userId: 'alice', tokenUrl: '/api/apirtc-token' }}>
 *   <App />
 * </AuthProvider>
 * ```
 */
export function AuthProvider({ children, ...options }: AuthProviderProps) {
  const [engine] = useState(() => new SessionEngine(options));
  useEffect(() => {
    engine.setOptions(options);
  });
  useEffect(() => {
    engine.start();
    return () => engine.stop();
  }, [engine]);
  return <AuthContext.Provider value={engine}>{children}</AuthContext.Provider>;
}
