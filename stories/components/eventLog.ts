import { useCallback, useState } from 'react';
import type { SessionEvent } from '../../src/index.js';

export interface LoggedEvent {
  id: number;
  /** When it was received, ms since epoch. */
  at: number;
  event: SessionEvent;
}

/** Collects what `onEvent` receives. Pass `onEvent` to `<AuthProvider onEvent>`. */
export function useEventLog(limit = 300): { events: LoggedEvent[]; onEvent: (event: SessionEvent) => void } {
  const [events, setEvents] = useState<LoggedEvent[]>([]);
  const onEvent = useCallback(
    (event: SessionEvent) => {
      const at = Date.now();
      setEvents((list) => [...list, { id: (list.at(-1)?.id ?? 0) + 1, at, event }].slice(-limit));
    },
    [limit],
  );
  return { events, onEvent };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line for an event: what a person debugging a session wants to read. Never holds a secret (events don't). */
export function describeEvent({ event, at }: LoggedEvent): string {
  switch (event.type) {
    case 'status':
      return `→ ${event.status}`;
    case 'token':
      return `reason ${event.reason}, expires in ${event.expiresAt === undefined ? '—' : seconds(event.expiresAt - at)}, jti ${shortJti(event.jti)}`;
    case 'registered':
      return `${event.mode}, session ${event.sessionId}`;
    case 'unregistered':
    case 'stale-session-unregistered':
      return `session ${event.sessionId}`;
    case 'renewal-scheduled':
      return `renew in ${seconds(event.renewAt - at)} (expires in ${seconds(event.expiresAt - at)})`;
    case 'renewal-deferred':
      return `${event.conversations} conversation(s), until +${seconds(event.until - at)}`;
    case 'connection':
      return event.status;
    case 'user-agent-released':
      return event.reason;
    case 'retry-scheduled':
      return `attempt ${event.attempt} ${event.retryAt === undefined ? 'when back online' : `in ${seconds(event.retryAt - at)}`}: ${event.error.code}`;
    case 'error':
      return `${event.error.code}: ${event.error.message}`;
  }
}

export function shortJti(jti: string | undefined): string {
  return jti === undefined ? '—' : `${jti.slice(0, 8)}…`;
}
