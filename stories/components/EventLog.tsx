import { describeEvent, type LoggedEvent } from './eventLog.js';

/** The engine's events as they happen, newest first, timed from the first one. */
export function EventLog({ events, title = 'onEvent' }: { events: readonly LoggedEvent[]; title?: string }) {
  const start = events[0]?.at ?? 0;
  return (
    <section className="panel" aria-label="events">
      <h3>
        {title} ({events.length} events)
      </h3>
      <ol className="event-log" data-testid="event-log" reversed>
        {[...events].reverse().map((logged) => (
          <li key={logged.id}>
            <time>+{((logged.at - start) / 1000).toFixed(2)}s</time> <b>{logged.event.type}</b> {describeEvent(logged)}
          </li>
        ))}
      </ol>
    </section>
  );
}
