import { useEffect, useState, useSyncExternalStore } from 'react';
import { AuthProvider, useApiRtcSession, type GetToken } from '../../src/index.js';
import type { UserFrameConfig } from './frame-config.js';
import { PresenceRecord } from './presence-record.js';

/** Signs in `userId` through the demo server, which holds the secret. */
function demoTokenSource(tokenApiUrl: string, userId: string): GetToken {
  return async ({ signal }) => {
    const response = await fetch(tokenApiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
      signal,
    });
    const answer = (await response.json()) as { token?: string; error?: string };
    if (!response.ok || typeof answer.token !== 'string') throw new Error(`the demo token route answered ${response.status}: ${answer.error ?? ''}`);
    return answer.token;
  };
}

function UserPanel({ config, record, registrations }: { config: UserFrameConfig; record: PresenceRecord; registrations: number }) {
  const { status, session, error, renew } = useApiRtcSession();
  const [renewError, setRenewError] = useState<string | null>(null);
  const presence = useSyncExternalStore(record.subscribe, record.getSnapshot);

  useEffect(() => {
    record.follow(session);
  }, [record, session]);

  return (
    <section className="panel" aria-label={`${config.userId}'s page`}>
      <h3>
        {config.userId}&apos;s page: its own window, its own SDK
      </h3>
      <dl className="fields">
        <dt>status</dt>
        <dd data-testid="status">{status}</dd>
        <dt>session</dt>
        <dd data-testid="session-id">{session?.getId() ?? '—'}</dd>
        <dt>registrations</dt>
        <dd data-testid="registrations">{registrations}</dd>
        <dt>contacts online</dt>
        <dd data-testid="contacts">{presence.online.length > 0 ? presence.online.join(', ') : '—'}</dd>
      </dl>
      {error ? (
        <p role="alert" data-testid="error">
          {error.code}: {error.message}
        </p>
      ) : null}
      {config.canRenew ? (
        <div className="actions">
          <button
            type="button"
            disabled={status !== 'registered'}
            onClick={() => {
              setRenewError(null);
              renew().catch((error: unknown) => setRenewError(error instanceof Error ? error.message : String(error)));
            }}
          >
            renew
          </button>
        </div>
      ) : null}
      {renewError ? <p role="alert">{renewError}</p> : null}
      <h3>presence changes, as the SDK reported them</h3>
      <ol data-testid="presence-log" className="note">
        {presence.changes.map((change) => (
          <li key={change.seq} data-presence={change.presence} data-user={change.userId}>
            {change.userId} {change.presence}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** One user's whole page: registered with a JWT from the demo server, in the demo's presence group. */
export function UserPage({ config }: { config: UserFrameConfig }) {
  const { userId, apiKey, cloudUrl, tokenApiUrl, group, contactDisconnectionDelay } = config;
  const [getToken] = useState(() => demoTokenSource(tokenApiUrl, userId));
  const [record] = useState(() => new PresenceRecord(group));
  const [registrations, setRegistrations] = useState(0);
  return (
    <div className="demo">
      <AuthProvider
        auth={{ mode: 'jwt', apiKey, userId, getToken }}
        cloudUrl={cloudUrl}
        registerOptions={{ groups: [group], subscribeTo: [group], contactDisconnectionDelay, userData: { nickname: userId } }}
        onEvent={(event) => {
          if (event.type === 'registered') setRegistrations((count) => count + 1);
        }}
      >
        <UserPanel config={config} record={record} registrations={registrations} />
      </AuthProvider>
    </div>
  );
}
