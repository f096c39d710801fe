import { useEffect, useMemo, useState, useSyncExternalStore, type CSSProperties } from 'react';
import type { DevtoolsEngine, DevtoolsEventSource, TimedSessionEvent } from './events.js';
import {
  changed,
  linesFromEvents,
  linesFromSamples,
  registrationsFromEvents,
  registrationsFromSamples,
  sampleOf,
  shortJti,
  timelineOf,
  type ReadableState,
  type Sample,
} from './model.js';
import { STATUS_COLORS, Timeline } from './Timeline.js';

/** How many samples and events the panel keeps. */
const KEEP = 500;
const ignore = () => {};

export interface PanelProps {
  engine: DevtoolsEngine;
  events: DevtoolsEventSource | undefined;
  title: string;
  position: 'inline' | 'bottom-right' | 'bottom-left';
  initialIsOpen: boolean;
}

function useNow(active: boolean, intervalMs = 250): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}

interface Store<T> {
  subscribe(onChange: () => void): () => void;
  get(): T;
}

/** Every change of the engine's state the panel saw, from its mount. */
function sampleStore(engine: DevtoolsEngine): Store<Sample[]> {
  let samples = [sampleOf(engine.getSnapshot(), Date.now())];
  const record = () => {
    const next = sampleOf(engine.getSnapshot(), Date.now());
    if (changed(samples.at(-1), next)) samples = [...samples, next].slice(-KEEP);
  };
  return {
    subscribe(onChange) {
      record(); // a change between the first render and the subscription
      return engine.subscribe(() => {
        record();
        onChange();
      });
    },
    get: () => samples,
  };
}

/** The source's events, its history first (re-read at each subscription: it is the authority when there is one). */
function eventStore(source: DevtoolsEventSource): Store<TimedSessionEvent[]> {
  const history = () => [...(source.getEventHistory?.() ?? [])];
  let events = history();
  return {
    subscribe(onChange) {
      if (source.getEventHistory) events = history();
      return source.subscribeEvents((timed) => {
        events = [...events, timed].slice(-KEEP);
        onChange();
      });
    },
    get: () => events,
  };
}

const noStore: Store<undefined> = { subscribe: () => ignore, get: () => undefined };

function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

const s = {
  panel: { font: '13px/1.45 system-ui, sans-serif', color: '#1f2328', background: '#fff', border: '1px solid #d0d7de', borderRadius: 8, padding: '8px 10px' },
  h: { font: '600 12px system-ui, sans-serif', color: '#57606a', margin: '8px 0 4px' },
  columns: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(300px, 1fr))', gap: '0 16px', alignItems: 'start' },
  fields: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 12px', margin: 0 },
  mono: { margin: 0, font: '12px ui-monospace, monospace' },
  badge: { display: 'inline-block', padding: '0 8px', borderRadius: 999, fontWeight: 600, color: '#fff' },
  error: { borderLeft: '4px solid #cf222e', background: '#ffebe9', padding: '4px 8px', margin: '6px 0', borderRadius: 4 },
  button: { font: 'inherit', fontSize: 12, padding: '2px 8px', borderRadius: 6, border: '1px solid #d0d7de', background: '#f6f8fa', cursor: 'pointer' },
  log: { listStyle: 'none', margin: 0, padding: 0, maxHeight: 260, overflow: 'auto', font: '11.5px ui-monospace, monospace' },
  table: { borderCollapse: 'collapse', font: '11.5px ui-monospace, monospace', width: '100%' },
  cell: { textAlign: 'left', padding: '1px 8px 1px 0', borderBottom: '1px solid #eaeef2' },
} satisfies Record<string, CSSProperties>;

function Countdown({ at, now, testId }: { at: number; now: number; testId: string }) {
  return <span data-testid={testId}>{`${(Math.max(0, at - now) / 1000).toFixed(1)} s`}</span>;
}

/** The devtools panel: status, deadlines, the last error, the actions, a timeline, registrations and the event log. */
export function DevtoolsPanel({ engine, events: source, title, position, initialIsOpen }: PanelProps) {
  const [open, setOpen] = useState(position === 'inline' || initialIsOpen);
  const snapshot = useSyncExternalStore(engine.subscribe, engine.getSnapshot, engine.getSnapshot);
  const samples = useStore(useMemo(() => sampleStore(engine), [engine]));
  const events = useStore<TimedSessionEvent[] | undefined>(useMemo(() => (source ? eventStore(source) : noStore), [source]));
  const now = useNow(open);
  const current = sampleOf(snapshot, now);
  const lines = useMemo(() => (events ? linesFromEvents(events) : linesFromSamples(samples)), [events, samples]);
  const registrations = useMemo(() => (events ? registrationsFromEvents(events) : registrationsFromSamples(samples)), [events, samples]);
  const timeline = timelineOf(samples, events, now);
  const origin = Math.min(lines[0]?.at ?? now, timeline.start);
  const rel = (at: number, digits = 2) => `+${((at - origin) / 1000).toFixed(digits)}s`;
  const { error }: ReadableState = snapshot;

  const floating: CSSProperties | undefined =
    position === 'inline' ? undefined : { position: 'fixed', bottom: 12, [position === 'bottom-left' ? 'left' : 'right']: 12, zIndex: 99999 };
  if (!open) {
    return (
      <button type="button" style={{ ...s.button, ...floating }} onClick={() => setOpen(true)} aria-label="open the ApiRTC session devtools">
        ApiRTC <span style={{ ...s.badge, background: STATUS_COLORS[current.status] }}>{current.status}</span>
      </button>
    );
  }
  return (
    <section
      aria-label="ApiRTC session devtools"
      style={{ ...s.panel, ...(floating ? { ...floating, width: 440, maxHeight: '70vh', overflow: 'auto', boxShadow: '0 4px 16px #0003' } : {}) }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline' }}>
        <h3 style={{ ...s.h, margin: 0 }}>{title}</h3>
        {position !== 'inline' && (
          <button type="button" style={s.button} onClick={() => setOpen(false)} aria-label="close the ApiRTC session devtools">
            ×
          </button>
        )}
      </div>
      <div style={s.columns}>
        <div>
          <dl style={s.fields}>
            <dt>status</dt>
            <dd style={s.mono}>
              <span role="status" aria-label="session status" data-testid="status" style={{ ...s.badge, background: STATUS_COLORS[current.status] }}>
                {current.status}
              </span>
            </dd>
            <dt>session id</dt>
            <dd style={s.mono} data-testid="session-id">
              {current.sessionId ?? '—'}
            </dd>
            {current.expiresAt !== undefined && (
              <>
                <dt>token expires in</dt>
                <dd style={s.mono}>
                  <Countdown at={current.expiresAt} now={now} testId="expires-in" />
                </dd>
              </>
            )}
            {current.renewAt !== undefined && (
              <>
                <dt>renews in</dt>
                <dd style={s.mono}>
                  <Countdown at={current.renewAt} now={now} testId="renews-in" />
                </dd>
              </>
            )}
            {current.status === 'retrying' && (
              <>
                <dt>next attempt</dt>
                <dd style={s.mono}>{current.retryAt === undefined ? 'when the browser is back online' : <Countdown at={current.retryAt} now={now} testId="retry-in" />}</dd>
              </>
            )}
          </dl>
          {error && (
            <div role="alert" data-testid="error" style={s.error}>
              <code data-testid="error-code" style={{ fontWeight: 700 }}>
                {error.code}
              </code>{' '}
              <span data-testid="error-message">{error.message}</span>
              <div style={{ color: '#57606a', fontSize: 12 }}>
                retryable: {error.retryable ? 'yes (the engine retries by itself)' : 'no (not retried: register() tries again; a failed renewal keeps the current session)'}
                {error.field ? `, field: ${error.field}` : ''}
              </div>
            </div>
          )}
          <div style={{ display: 'flex', gap: 6, margin: '6px 0' }}>
            <button type="button" style={s.button} onClick={() => void snapshot.register().catch(ignore)}>
              register()
            </button>
            <button type="button" style={s.button} onClick={() => void snapshot.renew().catch(ignore)}>
              renew()
            </button>
            <button type="button" style={s.button} onClick={() => void snapshot.unregister().catch(ignore)}>
              unregister()
            </button>
        </div>
          <h4 style={s.h}>Registrations</h4>
          <table style={s.table} data-testid="registrations">
            <thead>
              <tr>
                {['#', 'at', 'token reason', 'token jti', 'session id'].map((name) => (
                  <th key={name} style={s.cell}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {registrations.map((row) => (
                <tr key={row.n} data-testid={`registration-${row.n}`}>
                  <td style={s.cell}>{row.n}</td>
                  <td style={s.cell}>{rel(row.at, 1)}</td>
                  <td style={s.cell}>{row.reason}</td>
                  <td style={s.cell}>{shortJti(row.jti)}</td>
                  <td style={s.cell}>{row.sessionId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h4 style={s.h}>
            {events ? 'Events' : 'State changes'} ({lines.length})
          </h4>
          <ol style={s.log} data-testid="event-log" reversed>
            {[...lines].reverse().map((line) => (
              <li key={line.id} style={{ borderBottom: '1px dotted #eaeef2' }}>
                <time style={{ color: '#8c959f', display: 'inline-block', minWidth: 60 }}>{rel(line.at)}</time> <b style={{ color: '#0550ae' }}>{line.type}</b> {line.text}
              </li>
            ))}
          </ol>
        </div>
      </div>
      <h4 style={s.h}>Timeline</h4>
      <Timeline model={timeline} />
      <div style={{ color: '#57606a', fontSize: 11 }}>
        {Object.entries(STATUS_COLORS).map(([status, color]) => (
          <span key={status} style={{ marginRight: 8, whiteSpace: 'nowrap' }}>
            <span style={{ display: 'inline-block', width: 8, height: 8, background: color, marginRight: 3 }} />
            {status}
          </span>
        ))}
        <span style={{ whiteSpace: 'nowrap' }}>· bars: each token, solid while in use, | its renewal time · lines: renewals, drops · dashed: now</span>
      </div>
    </section>
  );
}

export default DevtoolsPanel;
