import { useApiRtcSession } from '../../src/index.js';
import { Countdown } from './Countdown.js';
import { ErrorBox } from './ErrorBox.js';
import { StatusBadge } from './StatusBadge.js';

const ignore = () => {};

/**
 * Everything `useApiRtcSession()` gives, rendered: status, the session's id, the JWT deadlines,
 * the last error, and the three actions (they reject with the error; it is shown from state here).
 */
export function SessionPanel({ title = 'useApiRtcSession()' }: { title?: string }) {
  const { status, session, error, expiresAt, renewAt, retryAt, register, unregister, renew } = useApiRtcSession();
  return (
    <section className="panel" aria-label="session">
      <h3>{title}</h3>
      <dl className="fields">
        <dt>status</dt>
        <dd>
          <StatusBadge status={status} />
        </dd>
        <dt>session id</dt>
        <dd data-testid="session-id">{session ? session.getId() : '—'}</dd>
        {expiresAt !== undefined && (
          <>
            <dt>token expires in</dt>
            <dd>
              <Countdown at={expiresAt} testId="expires-in" />
            </dd>
          </>
        )}
        {renewAt !== undefined && (
          <>
            <dt>renews in</dt>
            <dd>
              <Countdown at={renewAt} testId="renews-in" />
            </dd>
          </>
        )}
        {status === 'retrying' && (
          <>
            <dt>next attempt</dt>
            <dd>{retryAt === undefined ? 'when the browser is back online' : <Countdown at={retryAt} testId="retry-in" />}</dd>
          </>
        )}
      </dl>
      {error && <ErrorBox error={error} />}
      <div className="actions">
        <button type="button" onClick={() => void register().catch(ignore)}>
          register()
        </button>
        <button type="button" onClick={() => void renew().catch(ignore)}>
          renew()
        </button>
        <button type="button" onClick={() => void unregister().catch(ignore)}>
          unregister()
        </button>
      </div>
    </section>
  );
}
