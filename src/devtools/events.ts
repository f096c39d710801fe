import type { SessionEvent, SessionSnapshot } from '../index.js';

/** An engine event with the wall-clock time it was received (ms since epoch). */
export interface TimedSessionEvent {
  at: number;
  event: SessionEvent;
}

/**
 * Where the devtools read the engine's events. An engine that has `subscribeEvents` is one; until then,
 * {@link createDevtoolsEventLog} makes one from the provider's `onEvent`.
 */
export interface DevtoolsEventSource {
  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  subscribeEvents(listener: (event: TimedSessionEvent) => void): () => void;
  /** The events received before the devtools subscribed, oldest first (optional). */
  getEventHistory?(): readonly TimedSessionEvent[];
}

/** What the devtools need of an engine: `SessionEngine` is one, and so is any store of the same shape. */
export interface DevtoolsEngine {
  subscribe(listener: () => void): () => void;
  getSnapshot(): SessionSnapshot;
  /** When the engine has it, the devtools log its events without anything to wire. */
  subscribeEvents?: DevtoolsEventSource['subscribeEvents'];
  getEventHistory?: DevtoolsEventSource['getEventHistory'];
}

/** A bounded, subscribable record of what `onEvent` received: pass `onEvent` to the provider, the log to the devtools. */
export interface DevtoolsEventLog extends DevtoolsEventSource {
  /** Give this to `<AuthProvider onEvent>` (or call it from your own `onEvent`). */
  onEvent(event: SessionEvent): void;
  getEventHistory(): readonly TimedSessionEvent[];
}

/**
 * Records the provider's events for `<ApiRtcSessionDevtools events={log} />`, from before the panel loads.
 * Events never hold a password or a token, so neither does the log.
 *
 * @example
 * const devtoolsEvents = createDevtoolsEventLog();
 * <AuthProvider auth={auth} onEvent={devtoolsEvents.onEvent}>
 *   <App />
 *   <ApiRtcSessionDevtools events={devtoolsEvents} />
 * </AuthProvider>
 */
export function createDevtoolsEventLog({ limit = 500, now = Date.now }: { limit?: number; now?: () => number } = {}): DevtoolsEventLog {
  let history: TimedSessionEvent[] = [];
  const listeners = new Set<(event: TimedSessionEvent) => void>();
  return {
    onEvent(event) {
      const timed = { at: now(), event };
      history = [...history, timed].slice(-limit);
      for (const listener of [...listeners]) listener(timed);
    },
    subscribeEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getEventHistory: () => history,
  };
}
