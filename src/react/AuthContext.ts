'use client';
import { createContext } from 'react';
import type { SessionEngine } from '../core/engine/store.js';

/** Holds the provider's engine: created once per mount, so the context value never changes. */
export const AuthContext = createContext<SessionEngine | null>(null);
AuthContext.displayName = 'ApiRtcAuthContext';
