'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiRtcAuthError } from '../core/errors.js';
import type { SessionEngineOptions } from '../core/options.js';
import { SessionEngine } from '../core/engine/store.js';
import { AuthContext } from './AuthContext.js';

/**
 * Either the engine's options as props (each described on `SessionEngineOptions`, all of them in one table in
 * the package's docs/api.md), or an engine made with `createSessionEngine()`; never both.
 */
export type AuthProviderProps = { children?: ReactNode } & (
  | (SessionEngineOptions & { engine?: undefined })
  // The engine's options stay typed here so that inline callbacks keep their types; with `engine` they are an error.
  | ({ engine: SessionEngine; auth?: undefined } & Partial<Omit<SessionEngineOptions, 'auth'>>)
);

/**
 * Registers one ApiRTC UserAgent for everything below it and keeps its Session alive.
 *
 * @remarks
 * Props are compared by value (inline object literals are fine) and callbacks are read when
 * called, so re-renders never re-register; a real change to `auth`, `cloudUrl` or `registerOptions` does.
 * Given an `engine` instead (made outside React with `createSessionEngine()`), the provider shares that one;
 * which of the two it takes is fixed on mount (switching throws `INVALID_CONFIG`: give it a new `key`).
 * Either way it starts the engine on mount (registering unless `autoRegister` is false) and stops it on
 * unmount. Render one provider near the root: the SDK allows one session per page, and a second engine of the
 * page fails with `SESSION_CONFLICT`. Server rendering loads no SDK and renders the `idle` state.
 *
 * @example Anonymous, against the local cloud (`npx apirtc-local-cloud`)
 * ```tsx
 * <AuthProvider auth={{ mode: 'apiKey', apiKey: 'local-dev-api-key' }} cloudUrl="http://127.0.0.1:3010">
 *   <App />
 * </AuthProvider>
 * ```
 *
 * @example An engine shared with code outside React
 * ```tsx
 * const engine = createSessionEngine({ auth: { mode: 'jwt', apiKey, userId: 'alice', tokenUrl: '/api/apirtc-token' } });
 * <AuthProvider engine={engine}>
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
  // The engine it owns is made once, on mount: a provider mounted with options cannot take an engine later, nor
  // the other way round (one given engine for another is fine: the effect below stops one and starts the other).
  if (Boolean(given) === Boolean(own)) {
    throw new ApiRtcAuthError('INVALID_CONFIG', "<AuthProvider> cannot switch between engine and the engine's options once mounted: give it a new key", {
      field: 'engine',
    });
  }
  const engine = given ?? (own as SessionEngine);
  // In the render, not in the effect: the engine's and the SDK's downloads start a paint earlier (once: idempotent).
  if (engine.getOptions().autoRegister !== false) engine.preload();
  useEffect(() => {
    if (!given) engine.setOptions(options as SessionEngineOptions);
  });
  useEffect(() => {
    engine.start();
    return () => engine.stop();
  }, [engine]);
  return <AuthContext.Provider value={engine}>{children}</AuthContext.Provider>;
}
