import { shortJti, type LoggedEvent } from './eventLog.js';

interface Registration {
  n: number;
  reason: string;
  jti: string | undefined;
  sessionId: string;
  at: number;
}

/** Each registration and the token it used, read from the event log ('token' then 'registered'). */
export function registrationsOf(events: readonly LoggedEvent[]): Registration[] {
  const rows: Registration[] = [];
  let token: { reason: string; jti: string | undefined } | undefined;
  for (const { event, at } of events) {
    if (event.type === 'token') token = { reason: event.reason, jti: event.jti };
    if (event.type === 'registered') {
      rows.push({ n: rows.length + 1, reason: token?.reason ?? '—', jti: token?.jti, sessionId: event.sessionId, at });
      token = undefined;
    }
  }
  return rows;
}

export function Registrations({ events }: { events: readonly LoggedEvent[] }) {
  const rows = registrationsOf(events);
  const start = events[0]?.at ?? 0;
  return (
    <section className="panel" aria-label="registrations">
      <h3>Registrations</h3>
      <table className="registrations" data-testid="registrations">
        <thead>
          <tr>
            <th>#</th>
            <th>at</th>
            <th>token reason</th>
            <th>token jti</th>
            <th>session id</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.n} data-testid={`registration-${row.n}`}>
              <td>{row.n}</td>
              <td>+{((row.at - start) / 1000).toFixed(1)}s</td>
              <td>{row.reason}</td>
              <td>{shortJti(row.jti)}</td>
              <td>{row.sessionId}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
