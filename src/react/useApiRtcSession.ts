'use client';
import { useCallback, useContext, useDebugValue, useRef, useSyncExternalStore } from 'react';
import type { SessionEngine } from '../core/engine/store.js';
import type { SessionSnapshot } from '../core/state.js';
import { AuthContext } from './AuthContext.js';

/**
 * The provider's engine, for code that wants the vanilla store (`subscribe`, `getSnapshot`) or its actions
 * outside a render.
 *
 * @throws `Error` when used outside `<AuthProvider>`.
 *
 * @example
 * ```tsx
 * const engine = useSessionEngine();
 * useEffect(() => engine.subscribe(() => analytics.track(engine.getSnapshot().status)), [engine]);
 * ```
 */
export function useSessionEngine(): SessionEngine {
  const engine = useContext(AuthContext);
  if (!engine) throw new Error('useApiRtcSession() and useSessionEngine() must be used inside <AuthProvider>');
  return engine;
}

/**
 * The session's state and actions, from the nearest `<AuthProvider>`.
 *
 * @remarks
 * Without a selector, the component re-renders on every change of the state. With one, it re-renders only
 * when the selected value changes (by `Object.is`): select primitives or objects the state already holds.
 * The actions (`register`, `unregister`, `renew`) are stable and reject with the error, never swallow it.
 * During server rendering and hydration the state is `idle`.
 *
 * @throws `Error` when used outside `<AuthProvider>`.
 *
 * @example The whole state
 * ```tsx
 * function Status() {
 *   const state = useApiRtcSession();
 *   if (state.status === 'error') return <p role="alert">{state.error.code}: {state.error.message}</p>;
 *   if (state.status === 'registered') return <p>registered as {state.session.getId()}</p>;
 *   return <p>{state.status}</p>;
 * }
 * ```
 *
 * @example One field: re-renders only when the status changes
 * ```tsx
 * const status = useApiRtcSession((s) => s.status);
 * ```
 */
export function useApiRtcSession(): SessionSnapshot;
export function useApiRtcSession<T>(selector: (snapshot: SessionSnapshot) => T): T;
export function useApiRtcSession<T>(selector?: (snapshot: SessionSnapshot) => T): T | SessionSnapshot {
  const engine = useSessionEngine();
  // Select once per snapshot and selector: useSyncExternalStore may call this several times per render.
  const memo = useRef<{ snapshot: SessionSnapshot; selector: typeof selector; selected: T | SessionSnapshot } | null>(null);
  const selectFrom = useCallback(
    (snapshot: SessionSnapshot) => {
      const last = memo.current;
      if (last && last.snapshot === snapshot && last.selector === selector) return last.selected;
      const selected = selector ? selector(snapshot) : snapshot;
      memo.current = { snapshot, selector, selected };
      return selected;
    },
    [selector],
  );
  const select = useCallback(() => selectFrom(engine.getSnapshot()), [engine, selectFrom]);
  // Hydration must see what the server rendered (idle), even in a boundary that hydrates after the provider started.
  const selectServer = useCallback(() => selectFrom(engine.getServerSnapshot()), [engine, selectFrom]);
  const value = useSyncExternalStore(engine.subscribe, select, selectServer);
  useDebugValue(value, (v) => (v && typeof v === 'object' && 'status' in v ? v.status : v));
  return value;
}
