import { useState } from 'react';
import { createDevtoolsEventLog, type DevtoolsEventLog } from '../../src/devtools/index.js';
import type { SessionEvent } from '../../src/index.js';

/** Records what `onEvent` receives for the devtools panel: pass `onEvent` to `<AuthProvider onEvent>`, `events` to the panel. */
export function useEventLog(limit = 300): { events: DevtoolsEventLog; onEvent: (event: SessionEvent) => void } {
  const [events] = useState(() => createDevtoolsEventLog({ limit }));
  return { events, onEvent: events.onEvent };
}
