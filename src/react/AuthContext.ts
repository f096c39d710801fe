'use client';
import { createContext } from 'react';
import type { SessionEngine } from '../core/engine/store.js';

/**
 * The React context that holds the provider's engine. The engine is created once per mount, so the context
 * value never changes. Read it with {@link useSessionEngine}; provide it yourself only for a provider of your
 * own around an engine from `createSessionEngine()`.
 *
 * @example
 * ```tsx
 * const engine = createSessionEngine({ auth: { mode: 'apiKey', apiKey } });
 * <AuthContext.Provider value={engine}><App /></AuthContext.Provider>
 * ```
 */
export const AuthContext = createContext<SessionEngine | null>(null);
AuthContext.displayName = 'ApiRtcAuthContext';
