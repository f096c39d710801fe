'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { SessionEngine, type SessionEngineOptions } from '../core/session.js';
import { AuthContext } from './AuthContext.js';

/** The engine's options as props (see the README's prop table), plus the children that read the session. */
export interface AuthProviderProps extends SessionEngineOptions {
  children?: ReactNode;
}

/**
 * Registers one ApiRTC UserAgent for everything below it and keeps its Session alive.
 * Props are compared by value (inline object literals are fine) and callbacks are read when
 * called, so re-renders never re-register; a real change to auth, cloudUrl or registerOptions does.
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
