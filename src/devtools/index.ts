'use client';
/**
 * `apirtc-react-auth/devtools`: a panel for development that shows what the session engine is doing.
 * This module is small: the panel itself is a lazy chunk, fetched only when the devtools render enabled.
 */
import { createElement, lazy, Suspense, useContext } from 'react';
import { AuthContext } from '../index.js';
import type { DevtoolsEngine, DevtoolsEventSource } from './events.js';

export { createDevtoolsEventLog, type DevtoolsEngine, type DevtoolsEventLog, type DevtoolsEventSource, type TimedSessionEvent } from './events.js';

export interface ApiRtcSessionDevtoolsProps {
  /**
   * Render the panel. Default: on in development, off in production, read from `process.env.NODE_ENV` as
   * your bundler replaces it (Vite, webpack, Next.js, Parcel, Rspack and esbuild with `define` do); where
   * nothing replaces it, off. Pass `true` to show the devtools in a production build.
   * @defaultValue `process.env.NODE_ENV !== 'production'`
   */
  enabled?: boolean;
  /** The engine to watch. Default: the one of the nearest `<AuthProvider>`. */
  engine?: DevtoolsEngine;
  /**
   * Where the events come from, for the event log: e.g. {@link createDevtoolsEventLog} wired to the
   * provider's `onEvent`. Default: the engine itself when it has `subscribeEvents`; without either, the
   * log shows the state changes the panel saw.
   */
  events?: DevtoolsEventSource;
  /** `inline` renders in place; the others float in a corner of the page behind a toggle button. @defaultValue `'bottom-right'` */
  position?: 'inline' | 'bottom-right' | 'bottom-left';
  /** Whether a floating panel starts open. @defaultValue `false` */
  initialIsOpen?: boolean;
  /** The panel's heading. @defaultValue `'ApiRTC session'` */
  title?: string;
}

/** The bundler's mode, when it replaced `process.env.NODE_ENV`; false when it did not (no `process` in a browser). */
function isDevelopment(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return false;
  }
}

const Panel = lazy(() => import('./Panel.js'));

/**
 * The session devtools: status, the token's countdowns, the last error, register/renew/unregister buttons,
 * a timeline (status over time, each token's lifetime, renewals and drops) and the event log.
 * Renders nothing in production unless `enabled`; the panel's code loads only when it renders.
 *
 * @example
 * <AuthProvider auth={auth}>
 *   <App />
 *   <ApiRtcSessionDevtools />
 * </AuthProvider>
 */
export function ApiRtcSessionDevtools({ enabled = isDevelopment(), engine, events, position = 'bottom-right', initialIsOpen = false, title = 'ApiRTC session' }: ApiRtcSessionDevtoolsProps) {
  const provided = useContext(AuthContext);
  const watched: DevtoolsEngine | null = engine ?? provided;
  if (!enabled) return null;
  if (!watched) throw new Error('<ApiRtcSessionDevtools> must be used inside <AuthProvider> or be given an engine');
  const source = events ?? (watched.subscribeEvents ? (watched as DevtoolsEventSource) : undefined);
  return createElement(Suspense, { fallback: null }, createElement(Panel, { engine: watched, events: source, title, position, initialIsOpen }));
}
